import { address, formatAddress, string, struct } from '@joule/consensus';
import { defineMessage, type MessageType, type ModuleContext } from '@joule/state';
import { maxMeterIdLength, maxMeters, meterIdPattern, pseudonymousMeterIdPattern } from '../constants.js';
import { MarketError } from '../errors.js';
import { events } from './events.js';
import { forgetTxReads } from './measures.js';
import { loadConfig, requireAdmin } from './periods.js';
import { tables } from './records.js';

export interface AddMeter {
  readonly meterId: string;
  readonly account: Uint8Array;
}
export interface RemoveMeter {
  readonly meterId: string;
}
export interface TransferAdmin {
  readonly admin: Uint8Array;
}

const rawMeterId = string(256);

/** Checks a meter id's shape: `MARKET_BAD_METER_ID` with what an installer should fix. */
export function checkMeterId(meterId: string, pseudonymous: boolean): void {
  if (meterId.length === 0 || meterId.length > maxMeterIdLength || !meterIdPattern.test(meterId))
    throw new MarketError(
      'MARKET_BAD_METER_ID',
      `meter id "${meterId.slice(0, 80)}" must be 1–${maxMeterIdLength} letters, digits, ".", "_", ":" or "-"`,
    );
  if (pseudonymous && !pseudonymousMeterIdPattern.test(meterId))
    throw new MarketError(
      'MARKET_BAD_METER_ID',
      `this market is pseudonymous: meter ids are "p:" and 64 hex digits (pseudonymousMeterId(key, serial)), not serials`,
    );
}

/** The meter-list and admin messages; `prefix` overrides the chain's address prefix in errors. */
export function meterMessages(prefix?: string): {
  addMeter: MessageType<AddMeter>;
  removeMeter: MessageType<RemoveMeter>;
  transferAdmin: MessageType<TransferAdmin>;
  acceptAdmin: MessageType<Record<string, never>>;
} {
  const bech = (ctx: ModuleContext, a: Uint8Array): string => formatAddress(a, prefix ?? ctx.addressPrefix);
  const addMeter = defineMessage<AddMeter>({
    type: 'market/add_meter_from_list',
    codec: struct<AddMeter>('AddMeterFromList', { meterId: rawMeterId, account: address }),
    async handle(ctx, m, signer) {
      forgetTxReads(ctx);
      const config = await requireAdmin(ctx, signer.address, 'add meters');
      checkMeterId(m.meterId, config.pseudonymous);
      const existing = await tables.meters.get(ctx.state, m.meterId);
      if (existing?.active === true)
        throw new MarketError('MARKET_METER_EXISTS', `meter ${m.meterId} is already in the list`);
      if (existing !== undefined && Buffer.compare(existing.account, m.account) !== 0)
        throw new MarketError(
          'MARKET_METER_ACCOUNT_MISMATCH',
          `meter ${m.meterId} is linked to another account; a meter keeps its account — add the new owner's meter under a new id`,
        );
      if (existing === undefined && config.meterCount >= maxMeters)
        throw new MarketError('MARKET_TOO_MANY_METERS', `the list holds at most ${maxMeters} meters`);
      const index = existing?.index ?? config.meterCount;
      tables.meters.set(ctx.state, m.meterId, { index, account: m.account, active: true });
      if (existing === undefined)
        tables.meterIndex.set(ctx.state, index, { meterId: m.meterId, account: m.account });
      tables.config.set(ctx.state, 'config', {
        ...config,
        meterCount: existing === undefined ? config.meterCount + 1 : config.meterCount,
        activeMeters: config.activeMeters + 1,
      });
      ctx.emit(events.meterAdded({ meterId: m.meterId }));
    },
  });
  const removeMeter = defineMessage<RemoveMeter>({
    type: 'market/remove_meter_from_list',
    codec: struct<RemoveMeter>('RemoveMeterFromList', { meterId: rawMeterId }),
    async handle(ctx, m, signer) {
      forgetTxReads(ctx);
      const config = await requireAdmin(ctx, signer.address, 'remove meters');
      const meter = await tables.meters.get(ctx.state, m.meterId);
      if (meter === undefined)
        throw new MarketError('MARKET_UNKNOWN_METER', `meter ${m.meterId} is not in the list`);
      if (!meter.active)
        throw new MarketError('MARKET_METER_REMOVED', `meter ${m.meterId} was already removed`);
      tables.meters.set(ctx.state, m.meterId, { ...meter, active: false });
      tables.config.set(ctx.state, 'config', { ...config, activeMeters: config.activeMeters - 1 });
      ctx.emit(events.meterRemoved({ meterId: m.meterId }));
    },
  });
  const transferAdmin = defineMessage<TransferAdmin>({
    type: 'market/transfer_admin',
    codec: struct<TransferAdmin>('TransferAdmin', { admin: address }),
    async handle(ctx, m, signer) {
      forgetTxReads(ctx);
      const config = await requireAdmin(ctx, signer.address, 'hand over the admin role');
      tables.config.set(ctx.state, 'config', { ...config, pendingAdmin: m.admin });
      ctx.emit(events.adminProposed({ admin: config.admin, pending: m.admin }));
    },
  });
  const acceptAdmin = defineMessage<Record<string, never>>({
    type: 'market/accept_admin',
    codec: struct<Record<string, never>>('AcceptAdmin', {}),
    async handle(ctx, _m, signer) {
      forgetTxReads(ctx);
      const config = await loadConfig(ctx.state);
      if (config.pendingAdmin === null || Buffer.compare(config.pendingAdmin, signer.address) !== 0)
        throw new MarketError(
          'MARKET_NOT_PENDING_ADMIN',
          `${bech(ctx, signer.address)} was not proposed as admin: the admin sends transferAdmin first`,
        );
      tables.config.set(ctx.state, 'config', { ...config, admin: signer.address, pendingAdmin: null });
      ctx.emit(events.adminChanged({ admin: signer.address }));
    },
  });
  return { addMeter, removeMeter, transferAdmin, acceptAdmin };
}

import { defineEvent } from '@joule/state';

/**
 * Typed events of the market. Measure values never appear in events, nor does the account linked to
 * a meter (only the admin may learn it: events are public).
 */
export const events = {
  meterAdded: defineEvent('market.meter_added', ['meterId']),
  meterRemoved: defineEvent('market.meter_removed', ['meterId']),
  adminProposed: defineEvent('market.admin_proposed', ['admin', 'pending']),
  adminChanged: defineEvent('market.admin_changed', ['admin']),
  parametersSet: defineEvent('market.parameters_set', ['tsStart', 'tsEnd', 'slotSeconds']),
  measure: defineEvent('market.measure', ['meterId', 'tsStart', 'signal']),
  measures: defineEvent('market.measures', ['meterId', 'tsStart', 'slots', 'measures']),
  solveRequested: defineEvent('market.solve_requested', ['tsStart', 'meters']),
  solveProgress: defineEvent('market.solve_progress', ['tsStart', 'phase', 'pass', 'meter', 'seq']),
  solveStalled: defineEvent('market.solve_stalled', ['tsStart', 'budget', 'needed']),
  solveFailed: defineEvent('market.solve_failed', ['tsStart', 'failures', 'reason']),
  settled: defineEvent('market.settled', ['tsStart', 'account', 'delta']),
  solved: defineEvent('market.solved', ['tsStart', 'admin', 'adminDelta', 'gridFlow', 'missing']),
  grid: defineEvent('market.grid', ['tsStart', 'gridFlow']),
  debt: defineEvent('market.debt', ['debtor', 'creditor', 'amount']),
  debtRepaid: defineEvent('market.debt_repaid', ['debtor', 'creditor', 'amount']),
};

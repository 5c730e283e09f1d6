/**
 * `report.json`: everything the pilot shows at the end, machine-readable. Energies in Wh (numbers),
 * money in uECT as decimal strings (exact; 1 ECT = 10^6 uECT), prices in uECT/kWh.
 */
export interface PilotReport {
  readonly version: 1;
  /** When the run finished, ISO 8601 (the report is about a run, so it may carry the wall clock). */
  readonly finishedAt: string;
  readonly run: RunInfo;
  readonly period: PeriodInfo;
  readonly houses: readonly HouseSummary[];
  readonly community: CommunitySummary;
  /** Per slot of the period, in order (for the plots). */
  readonly slots: SlotSeries;
  /** The community's mean day: 96 quarter hours, weekdays and weekends apart. */
  readonly dailyProfile: DailyProfile;
  readonly audit: AuditSummary;
  readonly chain: ChainSummary;
  readonly resources: readonly NodeResources[];
  /** The paper's figures, printed next to Joule's. */
  readonly paper: PaperFigures;
}

export interface RunInfo {
  readonly nodes: number;
  readonly validators: number;
  readonly seed: number;
  readonly days: number;
  /** `generator seed N` or the CSV's path. */
  readonly data: string;
  readonly chainId: string;
  readonly dir: string;
  readonly wallSeconds: number;
  readonly node: string;
  readonly arch: string;
}

export interface PeriodInfo {
  readonly tsStart: number;
  readonly tsEnd: number;
  readonly slotSeconds: number;
  readonly slots: number;
  readonly pBuyBAU: string;
  readonly pSellBAU: string;
  readonly pBuyLEM: string;
  readonly pSellLEM: string;
  readonly beta: string;
}

export interface HouseSummary {
  readonly meterId: string;
  readonly kind: 'house' | 'kindergarten';
  readonly pvKwp: number;
  readonly batteryKwh: number;
  /** The bech32 account that owns the meter. */
  readonly account: string;
  /** The node (`node3`) whose API the meter posts through. */
  readonly node: string;
  readonly consumptionWh: number;
  readonly productionWh: number;
  /** Energy bought from / sold to neighbours: Σ cons·min(Ec,Ep)/Ec and Σ prod·min(Ec,Ep)/Ep. */
  readonly boughtInsideWh: number;
  readonly soldInsideWh: number;
  /** Energy part of the LEM: Σ prod·ps − cons·pb (negative: paid), exact before rounding, rounded to uECT. */
  readonly lemEnergyUect: string;
  /** LPM part: −Σ beta·E·(cons − prod) (positive: bonus). */
  readonly lpmUect: string;
  /** Business as usual: Σ prod·pSellBAU − cons·pBuyBAU. */
  readonly bauUect: string;
  /** The chain's settlement of this account (= its balance change at solve). */
  readonly balanceDeltaUect: string;
  /** balanceDelta − bau: what the community saved (positive) or cost this house. */
  readonly savingsUect: string;
}

export interface CommunitySummary {
  readonly consumptionWh: number;
  readonly productionWh: number;
  /** Σ_t min(Ec, Ep): energy that stayed inside the community. */
  readonly tradedInsideWh: number;
  /** tradedInside / production (0 without production). */
  readonly selfConsumption: number;
  /** tradedInside / consumption. */
  readonly selfSufficiency: number;
  readonly gridImportWh: number;
  readonly gridExportWh: number;
  readonly adminMarginUect: string;
  /** What the community paid the DSO (negative: was paid). */
  readonly gridFlowUect: string;
  /** Σ prosumer deltas + admin + grid flow (must be "0"). */
  readonly invariantUect: string;
  readonly invariantHolds: boolean;
  readonly gdi: GdiSummary;
}

/** GDI_t = (Ec − Ep) / (Ec + Ep) per slot with any energy: +1 all from the grid, −1 all to it. */
export interface GdiSummary {
  readonly mean: number;
  readonly p10: number;
  readonly p50: number;
  readonly p90: number;
  /** 20 bins of width 0.1 over [−1, 1]; the last bin includes +1. */
  readonly histogram: readonly { readonly from: number; readonly to: number; readonly slots: number }[];
}

export interface SlotSeries {
  readonly tsStart: readonly number[];
  readonly ecWh: readonly number[];
  readonly epWh: readonly number[];
  /** uECT/kWh as numbers (display precision), null without a buyer / seller. */
  readonly pb: readonly (number | null)[];
  readonly ps: readonly (number | null)[];
  /** null when Ec + Ep = 0. */
  readonly gdi: readonly (number | null)[];
}

export interface DailyProfile {
  /** Mean Wh per quarter hour of the day (96 entries, UTC), over weekdays / weekend days. */
  readonly weekdayConsumptionWh: readonly number[];
  readonly weekdayProductionWh: readonly number[];
  readonly weekendConsumptionWh: readonly number[];
  readonly weekendProductionWh: readonly number[];
  /** Per day of the period: total Ec and Ep, Wh. */
  readonly days: readonly { readonly date: string; readonly ecWh: number; readonly epWh: number }[];
}

export interface AuditSummary {
  /** The non-validator node the period was exported from. */
  readonly node: string;
  readonly measures: number;
  readonly deltasEqual: boolean;
  readonly adminEqual: boolean;
  readonly gridFlowEqual: boolean;
  readonly slotsEqual: boolean;
  /** Every comparison above holds: `joule market settle` equals the chain's receipt to the uECT. */
  readonly matches: boolean;
  readonly solvedHeight: number;
  readonly missing: number;
}

export interface ChainSummary {
  readonly height: number;
  readonly txs: number;
  readonly measures: number;
  readonly appHashesEqual: boolean;
  /** Seconds of each phase: start, setup (keys, meters, parameters), post, solve, audit. */
  readonly phases: Readonly<Record<string, number>>;
}

export interface NodeResources {
  readonly name: string;
  readonly validator: boolean;
  readonly peakRssMb: number;
  readonly meanRssMb: number;
  readonly peakHeapMb: number;
  readonly cpuSeconds: number;
  readonly meanCpuPercent: number;
  readonly diskMb: number;
  /** One sample a second: seconds since start, RSS and heap MB, CPU % of one core over the last second. */
  readonly samples: readonly {
    readonly t: number;
    readonly rssMb: number;
    readonly heapMb: number;
    readonly cpuPercent: number;
  }[];
}

export interface PaperFigures {
  readonly rssMb: number;
  readonly rssGrowthMbPerDay: number;
  readonly cpuPercent: number;
  readonly diskMbPer10Days: readonly [number, number];
}

export const paperFigures: PaperFigures = {
  rssMb: 100,
  rssGrowthMbPerDay: 5,
  cpuPercent: 4,
  diskMbPer10Days: [435, 575],
};

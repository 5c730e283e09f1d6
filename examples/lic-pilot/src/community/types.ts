/**
 * The community's 15-minute meter data: what each meter would write on chain. Energies are the
 * deltas of the meter's registers over the slot, in Wh: `consumption` imported from the grid
 * (OBIS 1-0:1.8.0), `production` exported to it (1-0:2.8.0).
 */
export interface CommunityMeter {
  /** The meter id written on chain: `house-01` … `house-18`, `kindergarten`. */
  readonly id: string;
  readonly kind: 'house' | 'kindergarten';
  /** Installed PV peak power, kWp (0 without PV; unknown from a CSV: 0). */
  readonly pvKwp: number;
  /** Battery capacity, kWh (0 without). */
  readonly batteryKwh: number;
}

export interface CommunityData {
  readonly meters: readonly CommunityMeter[];
  /** First slot's start, Unix seconds UTC, a multiple of `slotSeconds`. */
  readonly tsStart: number;
  readonly slotSeconds: number;
  readonly slots: number;
  /** `consumption[m][s]`: Wh imported by meter m in slot s (meters in the order of `meters`). */
  readonly consumption: readonly Uint32Array[];
  /** `production[m][s]`: Wh exported by meter m in slot s. */
  readonly production: readonly Uint32Array[];
  /** Where the data came from: `generator seed 1` or the CSV's path. */
  readonly source: string;
}

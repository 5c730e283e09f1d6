/** Tariffs a genesis file may carry. */
export const maxGenesisTariffs = 1_200;
/** Tariffs the `tariffs` query answers at most (one page, newest period first). */
export const maxTariffsPerPage = 24;
/** The largest price, in base units per kWh or per period (10^15: a million units of a micro-denomination, ×10^9). */
export const maxPriceUnits = 1_000_000_000_000_000n;
/** The largest energy a bill preview takes, in Wh (10^12 Wh = 1 TWh). */
export const maxBillWh = 1_000_000_000_000n;
/** Wh in a kWh: prices are per kWh, energies in Wh. */
export const whPerKwh = 1_000n;

/**
 * The tariffs appchain, Joule's second example: an authority sets each month's tariff, anyone
 * reads it and previews a bill. Built only from the public surfaces the appchain guide names.
 */
export { addressPrefix, denom, tariffsApp, tariffsAppState, tariffsModules } from './app.js';
export { maxBillWh, maxGenesisTariffs, maxPriceUnits, maxTariffsPerPage, whPerKwh } from './constants.js';
export {
  type Bill,
  billOf,
  billQuery,
  moduleName,
  periodPattern,
  periodStartMs,
  type RemoveTariff,
  type SetTariff,
  type Tariff,
  type TariffsGenesis,
  type TariffsModule,
  tariffQuery,
  tariffs,
  tariffsQuery,
} from './tariffs.js';

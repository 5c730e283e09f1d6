/**
 * This appchain's names, written by create-joule-app. Change them before the first `init`: the
 * address prefix and the denomination are part of every genesis and every address.
 */
export const chain = {
  /** The bin's name in help texts. */
  name: 'mychain',
  /** Bech32 prefix of addresses (`mychain1…`). */
  addressPrefix: 'mychain',
  /** Denomination of the genesis balances. */
  denom: 'umychain',
  /** The module's name: its messages are `readings/…`, its queries `query readings …`. */
  moduleName: 'readings',
} as const;

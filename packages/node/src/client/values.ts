import { type Codec, encode, fromHex, InvalidValueError, parseAddress } from '@joule/consensus';

/** Most encode attempts while fitting text parameters to a codec. */
const maxAttempts = 64;

/** The ways a text parameter can be read, most specific first. */
function readings(text: string, addressPrefix: string): unknown[] {
  const out: unknown[] = [];
  try {
    out.push(parseAddress(text, addressPrefix));
  } catch {
    // not an address of this chain
  }
  if (/^(0|[1-9][0-9]{0,19})$/.test(text)) {
    out.push(BigInt(text));
    if (Number.isSafeInteger(Number(text))) out.push(Number(text));
  }
  if (text === 'true' || text === 'false') out.push(text === 'true');
  out.push(text);
  if (/^(0x)?([0-9a-fA-F]{2})*$/.test(text)) out.push(fromHex(text.replace(/^0x/, '').toLowerCase()));
  return out;
}

/** `meterId` → `meter_id`: a codec's (camelCase) field name as JSON and the CLI spell it. */
export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The parameters with each snake_case name (`meter_id`) turned into the struct's own field name
 * (`meterId`); the field's own spelling is accepted too, not both at once (`INVALID_VALUE`). Names
 * the struct lacks are kept as given.
 */
export function codecFieldNames<T>(
  codec: Codec<T>,
  params: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const bySnake = new Map(Object.keys(codec.fields ?? {}).map((f) => [snakeCase(f), f]));
  const out: Record<string, unknown> = {};
  const givenAs = new Map<string, string>();
  for (const [key, value] of Object.entries(params)) {
    const name = bySnake.get(key) ?? key;
    // `zone_id` and `zoneId` name one field: given both, neither silently wins.
    const earlier = givenAs.get(name);
    if (earlier !== undefined)
      throw new InvalidValueError(
        `field "${snakeCase(name)}" is given twice (as "${earlier}" and "${key}")`,
        {
          path: name,
        },
      );
    givenAs.set(name, key);
    // A data property even for `__proto__`: a field name never sets the object's prototype.
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  }
  // A nullable field left out is null: the optional fields of a request.
  for (const [name, field] of Object.entries(codec.fields ?? {}))
    if (field.kind === 'nullable' && !(name in out)) out[name] = null;
  return out;
}

/**
 * Builds the value of a struct codec from text parameters (`{ address: 'lic1…', denom: 'ujoule' }`).
 * Codecs do not describe their fields, so each parameter is tried as a bech32 address, an integer
 * (bigint, then number), a boolean, a string and hex bytes, in that order, until the codec accepts
 * it: the codec's own error names the field it refused (`context.path`), and that field moves on to
 * its next reading. Values that are not strings (from a JSON body) are used as they are.
 */
export function valueFromParams<T>(
  codec: Codec<T>,
  given: Readonly<Record<string, unknown>>,
  addressPrefix: string,
): T {
  const params = codecFieldNames(codec, given);
  const options = new Map<string, unknown[]>();
  const choice = new Map<string, number>();
  for (const [key, value] of Object.entries(params)) {
    options.set(key, typeof value === 'string' ? readings(value, addressPrefix) : [value]);
    choice.set(key, 0);
  }
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const value: Record<string, unknown> = {};
    for (const [key, list] of options) value[key] = list[choice.get(key) ?? 0];
    try {
      encode(codec, value as T);
      return value as T;
    } catch (error) {
      if (!(error instanceof InvalidValueError)) throw error;
      const path = String(error.context.path ?? '');
      const key = path.slice(path.lastIndexOf('.') + 1).replace(/\[.*$/, '');
      const list = options.get(key);
      if (list === undefined)
        throw new InvalidValueError(`missing parameter "${snakeCase(key)}"`, { path: key });
      const next = (choice.get(key) ?? 0) + 1;
      if (next >= list.length)
        throw new InvalidValueError(`parameter "${snakeCase(key)}" is not valid: ${error.message}`, {
          path: key,
        });
      choice.set(key, next);
    }
  }
  throw new InvalidValueError('parameters do not fit the request');
}

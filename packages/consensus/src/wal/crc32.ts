/**
 * CRC-32 as zlib and gzip compute it (reflected polynomial 0xEDB88320, initial and final XOR
 * 0xFFFFFFFF): `crc32(data, previous)` continues a CRC over more bytes as `zlib.crc32` does.
 *
 * In JavaScript rather than `node:zlib`'s: importing `node:zlib` loads Node's zlib and zip modules
 * (~0.8 MB of a process's RSS, ~0.45 MB of it anonymous memory) for this one function. Eight bytes a
 * step through eight tables of 256 entries (slicing-by-8, 8 KiB): ~1 GB/s on x64, against a WAL that
 * writes a few kB a block.
 */
const tables: readonly Uint32Array[] = (() => {
  const t = Array.from({ length: 8 }, () => new Uint32Array(256));
  const t0 = t[0] as Uint32Array;
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t0[n] as number;
    for (let k = 1; k < 8; k++) {
      c = (t0[c & 0xff] as number) ^ (c >>> 8);
      (t[k] as Uint32Array)[n] = c >>> 0;
    }
  }
  return t;
})();

export function crc32(data: Uint8Array, previous = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
  let c = ~previous >>> 0;
  let i = 0;
  const end8 = data.length - (data.length % 8);
  while (i < end8) {
    const a =
      (c ^
        ((data[i] as number) |
          ((data[i + 1] as number) << 8) |
          ((data[i + 2] as number) << 16) |
          ((data[i + 3] as number) << 24))) >>>
      0;
    c =
      (t7[a & 0xff] as number) ^
      (t6[(a >>> 8) & 0xff] as number) ^
      (t5[(a >>> 16) & 0xff] as number) ^
      (t4[a >>> 24] as number) ^
      (t3[data[i + 4] as number] as number) ^
      (t2[data[i + 5] as number] as number) ^
      (t1[data[i + 6] as number] as number) ^
      (t0[data[i + 7] as number] as number);
    i += 8;
  }
  while (i < data.length) c = (t0[(c ^ (data[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

// The bundle's rewrite of `localeCompare` calls (scripts/bundle.mjs, the `code-unit-compare` plugin).
//
// libp2p's peer store and peer records sort multiaddrs, protocol names and metadata keys with
// `String.prototype.localeCompare`, only to dedupe them and to keep one order in the node's own
// records. The first `localeCompare` makes V8 open ICU's collator, which maps ICU's collation data
// out of the Node binary and keeps it for the life of the process. Those strings are ASCII, for which
// comparing UTF-16 code units is a total order too: each call `a.localeCompare(b)` becomes
// `__jouleCodeUnitCompare(a, b)`, a function the bundle's banner defines.

/** The function the banner defines, by name, and its source. */
export const codeUnitCompareName = '__jouleCodeUnitCompare';
export const codeUnitCompareSource = `const ${codeUnitCompareName} = (a, b) => (a < b ? -1 : a > b ? 1 : 0);`;

/**
 * Rewrites every `RECEIVER.localeCompare(ARGUMENT)` of a compiled module, where RECEIVER is a chain of
 * names, dots and calls (`a`, `a.b.toString()`) and ARGUMENT any balanced expression. Throws on a call
 * it cannot read, so that a change of the dependency fails the build instead of the node.
 */
export function rewriteLocaleCompare(text) {
  let out = text;
  let count = 0;
  for (let at = out.indexOf('.localeCompare('); at >= 0; at = out.indexOf('.localeCompare(')) {
    let start = at;
    while (start > 0) {
      const c = out[start - 1];
      if (/[\w$.]/.test(c)) start--;
      else if (c === ')') {
        let depth = 0;
        do {
          start--;
          if (out[start] === ')') depth++;
          else if (out[start] === '(') depth--;
        } while (depth > 0 && start > 0);
        if (depth > 0) throw new Error('code-unit-compare: unbalanced receiver of a localeCompare call');
      } else break;
    }
    const open = at + '.localeCompare('.length;
    let end = open;
    for (let depth = 1; depth > 0; end++) {
      if (end >= out.length) throw new Error('code-unit-compare: unbalanced localeCompare call');
      if (out[end] === '(') depth++;
      else if (out[end] === ')') depth--;
    }
    const receiver = out.slice(start, at);
    const argument = out.slice(open, end - 1);
    if (!/^[\w$]/.test(receiver) || argument.trim() === '' || argument.includes(','))
      throw new Error(`code-unit-compare: cannot rewrite "${out.slice(start, end)}"`);
    out = `${out.slice(0, start)}${codeUnitCompareName}(${receiver}, ${argument})${out.slice(end)}`;
    count++;
  }
  return { text: out, count };
}

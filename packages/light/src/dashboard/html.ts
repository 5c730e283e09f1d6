/**
 * What the dashboard writes as HTML from a node's answers. A node's JSON is not trusted (the page
 * may read another node than the one that served it, `?node=`): every string from it is escaped,
 * so a hostile answer cannot run script in the page's origin (the node's API, maybe kept local).
 */
const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** `text` as HTML text or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"']/g, (c) => entities[c] as string);
}

/** The settled bills' rows: the account (shortened) and its delta, already formatted. */
export function billRowsHtml(
  deltas: readonly { readonly account: string; readonly delta: string }[],
  format: (delta: string) => string,
): string {
  return deltas
    .map((d) => {
      const account = String(d.account);
      return `<tr><td>${escapeHtml(`${account.slice(0, 12)}…${account.slice(-6)}`)}</td><td>${escapeHtml(format(d.delta))}</td></tr>`;
    })
    .join('');
}

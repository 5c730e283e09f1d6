/** The report page's stylesheet: system fonts, a neutral palette, a 1100 px column. */
export const pageCss = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1f2328;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 20px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 19px; margin: 0 0 8px; }
p { margin: 0 0 12px; max-width: 880px; }
code { font: 0.92em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #eef0f3;
  padding: 0 4px; border-radius: 3px; }
header .lead { color: #4a5360; font-size: 16px; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 12px 0 0; }
.facts div { display: contents; }
.facts dt { color: #6b7480; }
.facts dd { margin: 0; }
section { background: #fff; border: 1px solid #e1e4e8; border-radius: 10px; padding: 18px 21px;
  margin-top: 18px; }
.cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 12px; background: none; border: 0;
  padding: 0; }
.card { background: #fff; border: 1px solid #e1e4e8; border-left: 4px solid #c9ced6; border-radius: 8px;
  padding: 12px 14px; }
.card .k { color: #6b7480; font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
.card .v { font-size: 26px; font-weight: 650; margin: 2px 0; font-variant-numeric: tabular-nums; }
.card .v small { font-size: 14px; font-weight: 500; color: #6b7480; }
.card .n { color: #4a5360; font-size: 13px; line-height: 1.4; }
.card.ok { border-left-color: #2a8c6a; }
.card.ok .v { color: #1f7356; }
.card.bad { border-left-color: #c44536; }
.card.bad .v { color: #b0362a; }
.row { display: flex; gap: 20px; align-items: flex-start; }
.row > * { min-width: 0; flex: 0 1 auto; }
.row > .grow { flex: 1 1 auto; }
figure { margin: 8px 0 12px; max-width: 100%; }
figcaption { color: #6b7480; font-size: 13px; margin-top: 2px; }
svg.plot { display: block; max-width: 100%; height: auto; font-family: inherit; font-size: 12px; }
svg .axis text { fill: #4a5360; }
svg .axis .label { fill: #1f2328; font-size: 13px; }
svg .grid { stroke: #eceef1; }
svg .domain, svg .tick { stroke: #8a929c; }
svg .legend text { fill: #1f2328; font-size: 12.5px; }
svg .rule { font-size: 12px; font-weight: 600; paint-order: stroke; stroke: #fff; stroke-width: 4px;
  stroke-linejoin: round; }
svg .value { fill: #1f2328; font-size: 11.5px; }
svg .empty { fill: #8a929c; font-size: 15px; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; margin: 4px 0 8px; }
th, td { padding: 5px 8px; text-align: right; border-bottom: 1px solid #eceef1; vertical-align: top; }
th { color: #4a5360; font-weight: 600; font-size: 12.5px; border-bottom: 1px solid #c9ced6; }
th:first-child, td:first-child { text-align: left; }
tfoot td { font-weight: 650; border-top: 1px solid #c9ced6; border-bottom: 0; }
table.houses { width: 100%; }
td.meter { min-width: 150px; }
td.meter .id { display: block; font-weight: 600; }
td.meter .sub, th .sub { display: block; color: #6b7480; font-size: 12px; font-weight: 400; }
table.houses th, table.houses td { padding: 5px 6px; }
th.left { text-align: left; }
td.role { text-align: left; color: #4a5360; }
td.pos { color: #1f7356; }
td.neg { color: #b0362a; }
td.empty { text-align: center; color: #8a929c; }
table.compare { flex: 0 1 430px; }
table.compare td, table.compare th { text-align: left; }
table.compare td:first-child { color: #4a5360; }
table.compact { min-width: 340px; }
.scroll { overflow-x: auto; }
.note { color: #6b7480; font-size: 13px; }
.run { font-size: 14px; }
@media (max-width: 900px) { .cards { grid-template-columns: repeat(2, 1fr); } .row { flex-wrap: wrap; } }
`;

"""The HTML report's stylesheet, inlined into the page (nothing is fetched).

Tiers never rely on colour alone: each cell says RED, YELLOW or GREEN, red
cells are hatched and yellow ones dotted, so the page reads in greyscale and
in print. The print rules start each plant on a new page and shrink text so
that the wide tables fit A4 or Letter without being cut.
"""

CSS = """
:root { --red: #c62828; --red-bg: #fde0dc; --yellow-bg: #fff4c2; --green-bg: #e3f2e1;
  --ink: #1a1a1a; --muted: #5f6368; --rule: #d0d4d9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  color: var(--ink); margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 20px; margin: 32px 0 8px; border-bottom: 2px solid var(--ink);
  padding-bottom: 3px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
p { margin: 6px 0; }
.meta { color: var(--muted); margin: 0 0 14px; }
.headline { border-left: 6px solid var(--red); background: #fafafa; padding: 10px 14px;
  margin: 12px 0; font-size: 16px; }
.headline strong { font-size: 17px; }
.headline p.reason { font-size: 14px; color: var(--ink); }
ol.earliest, ul.plain { margin: 6px 0 6px 22px; padding: 0; }
nav { font-size: 13px; color: var(--muted); margin: 8px 0 0; }
nav a { color: inherit; margin-right: 10px; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 12px; font-size: 13px; }
th, td { border: 1px solid var(--rule); padding: 4px 6px; vertical-align: top; text-align: left; }
th { background: #f1f3f4; font-weight: 600; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.cell-days { display: block; font-weight: 700; font-size: 14px; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.cell-date { display: block; }
table.heat td { min-width: 92px; }
table.heat tbody th { min-width: 150px; }
h2, h3 { break-after: avoid; page-break-after: avoid; }
.small { font-size: 11.5px; color: var(--muted); }
.tag { display: inline-block; font-size: 10.5px; font-weight: 700; letter-spacing: .04em;
  border: 1px solid currentColor; border-radius: 3px; padding: 0 4px; margin-right: 4px; }
.tier-red { background: var(--red-bg);
  background-image: repeating-linear-gradient(45deg, rgba(198,40,40,.14) 0 3px,
    transparent 3px 8px); }
.tier-red .tag { background: var(--red); color: #fff; border-color: var(--red); }
.tier-yellow { background: var(--yellow-bg);
  background-image: radial-gradient(rgba(120,90,0,.22) 1px, transparent 1.2px);
  background-size: 6px 6px; }
.tier-green { background: var(--green-bg); }
.tier-green .tag { border-style: dotted; }
.exposed { font-weight: 700; }
.legend { font-size: 12px; color: var(--muted); margin: 2px 0 10px; }
figure { margin: 10px 0; }
figure svg { width: 100%; height: auto; max-width: 980px; }
figcaption { font-size: 12px; color: var(--muted); }
section.plant { break-before: page; page-break-before: always; }
section.plant h2 { display: flex; gap: 10px; align-items: baseline; flex-wrap: wrap; }
.why { background: #fafafa; border: 1px solid var(--rule); padding: 8px 12px; }
.why p { margin: 3px 0; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; }
@page { size: auto; margin: 12mm 10mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 11px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h2 { margin-top: 12px; }
  table { font-size: 9.5px; }
  table.heat tbody th { min-width: 110px; }
  table.heat td { min-width: 0; }
  .cell-days { font-size: 11px; }
  .small, .legend, figcaption { font-size: 8.5px; }
  .headline { font-size: 13px; }
  .headline strong { font-size: 13px; }
  .headline p.reason { font-size: 11px; }
  nav { display: none; }
  figure { break-inside: avoid; margin: 4px 0; }
  figure svg { width: 68%; }
  .why { padding: 4px 8px; }
  section.assumptions { break-before: page; page-break-before: always; }
}
"""

"""The self-contained HTML page: inline CSS, inline SVG, no script, nothing fetched.

Every text that comes from the input goes through `esc` (html.escape); the
markup around it is written here. The page reads top-down as a meeting would:
the summary and the heat table on the first page, then one page per plant,
worst first, then the assumptions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from reerisk.render.summary import percent, tier
from reerisk.report import words
from reerisk.report.charts import inline_svg
from reerisk.report.css import CSS
from reerisk.report.model import PlantSection, Report
from reerisk.results import ScenarioResult


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def render_html(report: Report, charts: Sequence[str | None]) -> str:
    """The whole page; `charts[i]` is plant i's standalone SVG (or None)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Rare-earth supply risk, as of {esc(words.as_of_text(report))}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *_head(report),
        *_summary(report),
        *_heat_table(report),
    ]
    for index, (section, chart) in enumerate(zip(report.plants, charts, strict=True)):
        parts += _plant(report, section, chart, index)
    parts += _assumptions(report)
    parts += [
        "<footer>Made by reerisk. Projections are expected values from the plant and "
        "scenario files given; they are not forecasts of any licence decision.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def _head(report: Report) -> list[str]:
    plants = len(report.plants)
    return [
        "<header>",
        "<h1>Rare-earth supply risk: days until each plant runs out</h1>",
        f'<p class="meta">As of <strong>{esc(words.as_of_text(report))}</strong> · horizon '
        f"<strong>{report.horizon_days} days</strong> · {words.counted(plants, 'plant')} · "
        f"{words.counted(len(report.scenarios), 'approval scenario')} · "
        f"generated {esc(words.generated_text(report.generated_at))}</p>",
        '<nav><a href="#summary">Summary</a><a href="#heat">Plants × scenarios</a>'
        + "".join(f'<a href="#plant-{esc(s.id)}">{esc(s.id)}</a>' for s in report.plants)
        + '<a href="#assumptions">Assumptions</a></nav>',
        "</header>",
    ]


def _summary(report: Report) -> list[str]:
    parts = ['<section class="summary" id="summary">', "<h2>Summary</h2>"]
    if report.earliest:
        first = report.earliest[0]
        section = next(s for s in report.plants if s.id == first.plant)
        why = " ".join(words.binding_why(section, report)[1:])
        scenarios = esc(words.under(first.scenarios, report))
        parts.append(
            f'<div class="headline"><p><strong>Most urgent: {esc(first.plant)}</strong> runs out '
            f"of {esc(first.material)} on <strong>{first.stockout_date}</strong>, in "
            f"<strong>{first.runway_days} days</strong>, under {scenarios}."
            f'</p><p class="reason">{esc(why)} <a href="#plant-{esc(first.plant)}">Details</a></p>'
            "</div>"
        )
    parts += [f"<p>{esc(s)}</p>" for s in words.summary_sentences(report)]
    if report.earliest:
        parts.append("<p>The earliest stockouts:</p>")
        parts.append('<ol class="earliest">')
        parts += [f"<li>{esc(words.stockout_sentence(s, report))}</li>" for s in report.earliest]
        parts.append("</ol>")
    parts += [f"<p>{esc(s)}</p>" for s in words.unsaved_sentences(report)]
    parts.append(f"<p>{esc(words.shortfall_sentence(report))}</p>")
    parts.append("</section>")
    return parts


def _shortfall_table(report: Report) -> list[str]:
    if report.worst_shortfall_scenario is None or not report.rare_earths:
        return []
    head = "".join(
        f'<th class="num">{esc(s)}{" (controlled)" if s in report.controlled_symbols else ""}</th>'
        for s in report.rare_earths
    )
    rows = [
        f"<tr><td>{esc(scenario.name)}</td>"
        + "".join(
            f'<td class="num">{words.kg_text(report.shortfall_kg[scenario.name][s])}</td>'
            for s in report.rare_earths
        )
        + "</tr>"
        for scenario in report.scenarios
    ]
    return [
        "<h3>Extra stock on day 0 that closes every gap, kg of element (all plants)</h3>",
        f"<table><thead><tr><th>scenario</th>{head}</tr></thead><tbody>",
        *rows,
        "</tbody></table>",
    ]


def _runway_cell(result: ScenarioResult, horizon_days: int, extra: str = "") -> str:
    days = result.runway_days
    date_line = (
        f'<span class="cell-date">{result.stockout_date}</span>' if result.stockout_date else ""
    )
    rate = result.breakeven_rate
    needs = "no rate is enough" if rate is None else f"break-even {percent(rate)}"
    return (
        f'<td class="tier-{tier(days)}"><span class="tag">{words.tier_word(days)}</span> '
        f'<span class="cell-days">{words.days_text(days, horizon_days)}</span>{date_line}'
        f'<div class="small">{needs}</div>{extra}</td>'
    )


def _heat_table(report: Report) -> list[str]:
    horizon = report.horizon_days
    head = "".join(f"<th>{esc(s.name)}</th>" for s in report.scenarios)
    rows = []
    for section in report.plants:
        cells = []
        for result in section.projection.results:
            extra = _trial_lines(report, section.id, result.scenario, horizon)
            cells.append(_runway_cell(result, horizon, extra))
        rows.append(
            f'<tr><th><a href="#plant-{esc(section.id)}">{esc(section.id)}</a>'
            f'<div class="small">{esc(section.projection.name)}</div>'
            f"{_runs_short_of(section)}</th>{''.join(cells)}</tr>"
        )
    legend = esc(words.TIER_LEGEND.replace("H", str(horizon)))
    return [
        '<section id="heat">',
        "<h2>Plants × scenarios: days until the first short day</h2>",
        f'<p class="legend">Worst plant first. Each cell: tier, runway and stockout date, the '
        f"constant approval rate the plant needs to last {horizon} days (break-even). Under "
        f"each plant, the material that runs out first and its controlled rare earths. "
        f"{legend}.</p>",
        f'<table class="heat"><thead><tr><th>plant</th>{head}</tr></thead><tbody>',
        *rows,
        "</tbody></table>",
        *_shortfall_table(report),
        "</section>",
    ]


def _runs_short_of(section: PlantSection) -> str:
    """Under the plant's name: the material that runs out first, and its controlled elements."""
    worst = section.worst
    if worst is None or worst.binding_material is None:
        return '<div class="small">no stockout</div>'
    cell = section.row.cell(worst.scenario)
    shown = [e for e in cell.controlled_elements if e != worst.binding_material]
    elements = f" ({', '.join(shown)})" if shown else ""
    return f'<div class="small">runs short of <b>{esc(worst.binding_material)}</b>{elements}</div>'


def _trial_lines(report: Report, plant: str, scenario: str, horizon_days: int) -> str:
    """P10, P50 and p_stockout under the runway, when Monte Carlo figures were given."""
    if report.stats is None or (plant, scenario) not in report.stats:
        return ""
    stats = report.stats[(plant, scenario)]
    p10 = words.days_text(stats.p10_days, horizon_days)
    p50 = words.days_text(stats.p50_days, horizon_days)
    # One figure per unbreakable piece, so a narrow cell wraps between them, not inside.
    return (
        f'<div class="small trials"><span class="nowrap">P10 {esc(p10)}</span> · '
        f'<span class="nowrap">P50 {esc(p50)}</span><br>'
        f'<span class="nowrap">p(stockout) {stats.p_stockout:.0%}</span></div>'
    )


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], numeric: Callable[[int], bool]
) -> list[str]:
    """A table whose cells are already HTML."""
    head = "".join(
        f'<th class="num">{h}</th>' if numeric(i) else f"<th>{h}</th>" for i, h in enumerate(header)
    )
    body = [
        "<tr>"
        + "".join(
            cell if cell.startswith("<td") else f'<td class="num">{cell}</td>'
            if numeric(i) else f"<td>{cell}</td>"
            for i, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    ]  # fmt: skip
    return [f"<table><thead><tr>{head}</tr></thead><tbody>", *body, "</tbody></table>"]


def _plant(report: Report, section: PlantSection, chart: str | None, index: int) -> list[str]:
    horizon = report.horizon_days
    worst = section.worst
    days = worst.runway_days if worst else None
    plant = section.item.plant
    facts = [
        f"as of {section.projection.as_of}",
        f"country {plant.country}" if plant.country else "",
        f"end use {plant.end_use}",
        f"production days {plant.production_days}",
    ]
    parts = [
        f'<section class="plant" id="plant-{esc(section.id)}">',
        f'<h2><span class="tag tier-{tier(days)}">{words.tier_word(days)}</span>'
        f"{index + 1}. {esc(section.id)}"
        f'<span class="small">{esc(section.projection.name)}</span></h2>',
        f'<p class="meta">{esc(" · ".join(f for f in facts if f))}</p>',
        '<div class="why">',
        *(f"<p>{esc(s)}</p>" for s in words.binding_why(section, report)),
        "</div>",
    ]
    if chart is not None:
        parts += [
            "<figure>",
            inline_svg(chart, f"c{index}-"),
            f"<figcaption>Stock of {esc(section.chart_material)} at the end of each day, one "
            "line per scenario; the large marker is the first short day. Lines that coincide "
            "are drawn over each other.</figcaption>",
            "</figure>",
        ]
    parts += _materials(section, horizon)
    parts += _recovery(section, horizon)
    parts += _elements(section, horizon)
    parts.append("</section>")
    return parts


def _materials(section: PlantSection, horizon_days: int) -> list[str]:
    results = section.projection.results
    header = ["material", "unit", "controlled", *(esc(r.scenario) for r in results)]
    header += ["break-even", "shortfall (worst)"]
    rows = []
    for position, material in enumerate(results[0].materials):
        per = [r.materials[position] for r in results]
        cells = [esc(material.id), esc(material.unit), "yes" if material.controlled else "no"]
        for m in per:
            star = "*" if m.exposed else ""
            date_line = f"<br>{m.stockout_date}" if m.stockout_date else ""
            cells.append(
                f'<td class="tier-{tier(m.runway_days)}"><span class="tag">'
                f"{words.tier_word(m.runway_days)}</span> "
                f'<b class="nowrap">{words.days_text(m.runway_days, horizon_days)}{star}</b>'
                f"{date_line}</td>"
            )
        rates = [m.breakeven_rate for m in per]
        known = [r for r in rates if r is not None]
        rate = (
            "none"
            if not known
            else "–".join(dict.fromkeys((percent(min(known)), percent(max(known)))))
        )
        if known and len(known) < len(rates):
            rate = f"none under some; {rate}"
        worst = max(per, key=lambda m: m.shortfall)
        cells += [esc(rate), f"{words.number(worst.shortfall)} ({esc(worst.unit)})"]
        rows.append(cells)
    return [
        "<h3>Materials: runway per scenario</h3>",
        *_table(header, rows, lambda i: i == len(header) - 1),
        '<p class="legend">* runs out before another source can be qualified (TTS &lt; TTR). '
        "Break-even: range across scenarios; none: no rate is enough.</p>",
    ]


def _recovery(section: PlantSection, horizon_days: int) -> list[str]:
    results = section.projection.results
    rows = []
    for position, material in enumerate(results[0].materials):
        per = [(r.scenario, r.materials[position]) for r in results]
        known = [(name, m) for name, m in per if m.runway_days is not None]
        shortest = min(known, key=lambda pair: pair[1].runway_days or 0) if known else None
        tts = (
            f"{shortest[1].runway_days} d ({esc(shortest[0])})"
            if shortest else f"&gt; {horizon_days} d"
        )  # fmt: skip
        exposed = [name for name, m in per if m.exposed]
        ttr = material.recovery_days
        if ttr is None:
            verdict = "TTR not given"
        elif exposed:
            verdict = f'<span class="exposed">EXPOSED</span> under {esc(words.names(exposed))}'
        else:
            verdict = "covered: runway at least TTR in every scenario"
        rows.append([esc(material.id), tts, "—" if ttr is None else f"{ttr} d", verdict])
    return [
        "<h3>Time to survive (TTS) against time to recover (TTR)</h3>",
        *_table(["material", "shortest TTS", "TTR", "exposed?"], rows, lambda i: i in (1, 2)),
    ]


def _elements(section: PlantSection, horizon_days: int) -> list[str]:
    results = section.projection.results
    base = section.base
    if not base.elements:
        return []
    header = ["element", "controlled", "kg/day", "stock kg", "cover",
              *(esc(r.scenario) for r in results)]  # fmt: skip
    rows = []
    for position, element in enumerate(base.elements):
        cover = (
            f"{element.stock_kg / element.demand_kg_per_day:,.0f} d"
            if element.demand_kg_per_day > 0 else "—"
        )  # fmt: skip
        rows.append(
            [esc(element.symbol), "yes" if element.controlled else "no",
             words.number(element.demand_kg_per_day, 3), words.number(element.stock_kg, 1), cover]
            + [words.days_text(r.elements[position].runway_days, horizon_days) for r in results]
        )  # fmt: skip
    return [
        "<h3>Rare earths in these materials</h3>",
        *_table(header, rows, lambda i: i >= 2),
        f'<p class="legend">kg/day per production day and stock kg at day 0 under '
        f"{esc(base.scenario)}; cover: stock over use, in production days; runway: the first "
        "short day of any material holding the element.</p>",
    ]


def _assumptions(report: Report) -> list[str]:
    rows = [
        [esc(s.name), esc(s.description), esc(words.rate_text(s.approval_rate)),
         esc(words.review_text(s.review_working_days)), esc(words.green_text(s)),
         esc(words.overrides_text(s)), esc(words.levers_text(s))]
        for s in report.scenarios
    ]  # fmt: skip
    regimes = [
        [esc(r.id), esc(f"{r.document}: {r.title}"), esc(r.authority), esc(", ".join(r.elements)),
         esc(words.regime_status(r, report.as_of)), esc(r.source)]
        for r in report.regimes
    ]  # fmt: skip
    parts = [
        '<section class="assumptions" id="assumptions">',
        "<h2>Assumptions</h2>",
        "<h3>Scenarios</h3>",
        *_table(
            [
                "scenario",
                "description",
                "approval rate (by decision date)",
                "review (CN working days)",
                "green channel",
                "overrides",
                "levers",
            ],
            rows,
            lambda i: False,
        ),
        f"<h3>Export-control regimes in force on {report.as_of}</h3>",
    ]
    if regimes:
        parts += _table(
            ["regime", "document", "authority", "elements", "status", "source"],
            regimes, lambda i: False,
        )  # fmt: skip
    else:
        parts.append("<p>None: no licence is needed on this date.</p>")
    parts += ["<h3>How the projection works</h3>", '<ul class="plain">']
    parts += [f"<li>{esc(note)}</li>" for note in words.MODEL_NOTES]
    parts += ["</ul>", "</section>"]
    return parts

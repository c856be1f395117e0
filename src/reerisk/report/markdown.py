"""The report as Markdown, for wikis and CI job summaries: the HTML's contents, plain tables.

Charts are SVG files in `NAME-charts/` beside `NAME.md`, linked relatively;
printed to stdout the document has no charts (there is nowhere to put them).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reerisk.render.summary import percent
from reerisk.render.text import markdown_text
from reerisk.report import words
from reerisk.report.model import PlantSection, Report
from reerisk.results import ScenarioResult


def chart_folder(output: Path) -> Path:
    """`risk.md` -> `risk-charts/`, beside it."""
    return output.with_name(f"{output.stem}-charts")


class Markup(str):
    """Cell text that is already Markdown: put in the table as it is."""


def _cell(text: str) -> str:
    """Plain text shown literally: a `*` or `_` in a name is not emphasis, a `|` not a cell."""
    return text if isinstance(text, Markup) else markdown_text(text)


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---:" if i in right else "---" for i in range(len(header))) + "|")
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _runway(result: ScenarioResult, horizon_days: int) -> str:
    days = result.runway_days
    text = f"{words.tier_word(days)} {words.days_text(days, horizon_days)}"
    if result.stockout_date is not None:
        text += f" ({result.stockout_date})"
    rate = result.breakeven_rate
    return text + ("; no rate is enough" if rate is None else f"; break-even {percent(rate)}")


def render_markdown(report: Report, chart_links: Sequence[str | None]) -> str:
    horizon = report.horizon_days
    out = [
        "# Rare-earth supply risk: days until each plant runs out",
        "",
        f"As of **{words.as_of_text(report)}** · horizon **{horizon} days** · "
        f"{words.counted(len(report.plants), 'plant')} · "
        f"{words.counted(len(report.scenarios), 'approval scenario')} · "
        f"generated {words.generated_text(report.generated_at)}",
        "",
        "## Summary",
        "",
    ]
    if report.earliest:
        urgent = markdown_text(words.stockout_sentence(report.earliest[0], report))
        out += [f"**Most urgent:** {urgent}", ""]
    out += [*map(markdown_text, words.summary_sentences(report)), ""]
    if report.earliest:
        out += ["The earliest stockouts:", ""]
        out += [
            f"{n}. {markdown_text(words.stockout_sentence(s, report))}"
            for n, s in enumerate(report.earliest, 1)
        ]
        out.append("")
    for sentence in [*words.unsaved_sentences(report), words.shortfall_sentence(report)]:
        out += [markdown_text(sentence), ""]
    out += _heat(report)
    out += _shortfall(report)
    for index, (section, link) in enumerate(zip(report.plants, chart_links, strict=True), 1):
        out += _plant(report, section, link, index)
    out += _assumptions(report)
    return "\n".join(out).rstrip("\n") + "\n"


def _heat(report: Report) -> list[str]:
    horizon = report.horizon_days
    header = ["plant", *(s.name for s in report.scenarios)]
    rows = []
    for section in report.plants:
        cells = []
        for result in section.projection.results:
            text = _runway(result, horizon)
            if report.stats is not None and (section.id, result.scenario) in report.stats:
                stats = report.stats[(section.id, result.scenario)]
                text += (
                    f"; P10 {words.days_text(stats.p10_days, horizon)}, P50 "
                    f"{words.days_text(stats.p50_days, horizon)}, p(stockout) "
                    f"{stats.p_stockout:.0%}"
                )
            cells.append(text)
        rows.append([Markup(f"**{markdown_text(section.id)}**"), *cells])
    return [
        "## Plants × scenarios: days until the first short day",
        "",
        "Worst plant first. Each cell: tier, runway (stockout date) and the break-even "
        f"approval rate. {words.TIER_LEGEND.replace('H', str(horizon))}.",
        "",
        _table(header, rows),
        "",
    ]


def _shortfall(report: Report) -> list[str]:
    if report.worst_shortfall_scenario is None or not report.rare_earths:
        return []
    header = ["scenario"] + [
        f"{s} kg" + (" (controlled)" if s in report.controlled_symbols else "")
        for s in report.rare_earths
    ]
    rows = [
        [s.name, *(words.kg_text(report.shortfall_kg[s.name][e]) for e in report.rare_earths)]
        for s in report.scenarios
    ]
    return [
        "### Extra stock on day 0 that closes every gap, kg of element (all plants)",
        "",
        _table(header, rows, right=range(1, len(header))),
        "",
    ]


def _plant(report: Report, section: PlantSection, link: str | None, index: int) -> list[str]:
    horizon = report.horizon_days
    worst = section.worst
    tier = words.tier_word(worst.runway_days if worst else None)
    title = f"{index}. {section.id}" + (
        f" — {section.projection.name}" if section.projection.name else ""
    )
    why = [markdown_text(line) for line in words.binding_why(section, report)]
    out = [f"## {markdown_text(title)} ({tier})", "", *why, ""]
    if link is not None:
        out += [
            f"![Stock of {section.chart_material} per day, one line per scenario]({link})",
            "",
        ]
    results = section.projection.results
    header = ["material", "unit", "controlled", *(r.scenario for r in results), "TTR", "exposed"]
    rows = []
    for position, material in enumerate(results[0].materials):
        per = [r.materials[position] for r in results]
        cells = [material.id, material.unit, "yes" if material.controlled else "no"]
        for m in per:
            text = words.days_text(m.runway_days, horizon) + ("*" if m.exposed else "")
            cells.append(text + (f" ({m.stockout_date})" if m.stockout_date else ""))
        exposed = [r.scenario for r, m in zip(results, per, strict=True) if m.exposed]
        ttr = material.recovery_days
        cells += [
            "—" if ttr is None else f"{ttr} d",
            f"EXPOSED under {words.names(exposed)}" if exposed else "no",
        ]
        rows.append(cells)
    out += ["### Materials", "", _table(header, rows), ""]
    base = section.base
    if base.elements:
        header = ["element", "controlled", "kg/day", "stock kg", *(r.scenario for r in results)]
        rows = [
            [e.symbol, "yes" if e.controlled else "no", words.number(e.demand_kg_per_day, 3),
             words.number(e.stock_kg, 1)]
            + [words.days_text(r.elements[position].runway_days, horizon) for r in results]
            for position, e in enumerate(base.elements)
        ]  # fmt: skip
        out += [
            "### Rare earths in these materials",
            "",
            _table(header, rows, right=(2, 3)),
            "",
            f"kg/day per production day and stock at day 0 under {markdown_text(base.scenario)}.",
            "",
        ]
    return out


def _assumptions(report: Report) -> list[str]:
    scenarios = [
        [s.name, s.description, words.rate_text(s.approval_rate),
         words.review_text(s.review_working_days), words.green_text(s),
         words.overrides_text(s), words.levers_text(s)]
        for s in report.scenarios
    ]  # fmt: skip
    out = [
        "## Assumptions",
        "",
        "### Scenarios",
        "",
        _table(
            [
                "scenario",
                "description",
                "approval rate",
                "review (CN working days)",
                "green channel",
                "overrides",
                "levers",
            ],
            scenarios,
        ),
        "",
        f"### Export-control regimes in force on {report.as_of}",
        "",
    ]
    if report.regimes:
        regimes = [
            [r.id, f"{r.document}: {r.title}", ", ".join(r.elements),
             words.regime_status(r, report.as_of), r.source]
            for r in report.regimes
        ]  # fmt: skip
        out += [_table(["regime", "document", "elements", "status", "source"], regimes), ""]
    else:
        out += ["None: no licence is needed on this date.", ""]
    out += ["### How the projection works", ""]
    out += [f"- {note}" for note in words.MODEL_NOTES]
    return out

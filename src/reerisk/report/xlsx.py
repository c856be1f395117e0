"""The report as an Excel workbook (openpyxl): one sheet per table, ready to filter.

Every sheet has its header in row 1, frozen, and columns sized to their
contents. Numbers are numbers, dates are Excel dates and rates are fractions
shown as percentages, so the workbook can be sorted and charted as it is. A
missing value (no stockout within the horizon, no break-even rate) is an empty
cell, as in the JSON's null.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import IO, Any

from reerisk.render.summary import tier
from reerisk.report import words
from reerisk.report.model import Report

DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MAX_COLUMN_WIDTH = 60

Column = tuple[str, str | None]  # header, number format


def write_workbook(report: Report, stream: IO[bytes]) -> None:
    """Every table of the report as a sheet, saved to `stream`."""
    from openpyxl import Workbook

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    summary, materials, elements = _result_rows(report)
    summary_columns: list[Column] = [
        ("plant", None), ("name", None), ("scenario", None), ("runway_days", "0"),
        ("stockout_date", DATE_FORMAT), ("tier", None), ("binding_material", None),
        ("breakeven_rate", PERCENT_FORMAT), ("short_days", "0"), ("exposed", None),
    ]  # fmt: skip
    if report.stats is not None:
        summary_columns += [("p10_days", "0"), ("p50_days", "0"), ("p_stockout", PERCENT_FORMAT)]
    _sheet(book, "summary", summary_columns, summary)
    _sheet(
        book, "materials",
        [("plant", None), ("scenario", None), ("material", None), ("unit", None),
         ("controlled", None), ("runway_days", "0"), ("stockout_date", DATE_FORMAT),
         ("short_days", "0"), ("unmet", "#,##0.00"), ("fill_rate", PERCENT_FORMAT),
         ("end_stock", "#,##0.00"), ("shortfall", "#,##0.00"),
         ("breakeven_rate", PERCENT_FORMAT), ("recovery_days", "0"), ("exposed", None)],
        materials,
    )  # fmt: skip
    _sheet(
        book, "elements",
        [("plant", None), ("scenario", None), ("element", None), ("controlled", None),
         ("demand_kg_per_day", "#,##0.000"), ("stock_kg", "#,##0.0"), ("runway_days", "0")],
        elements,
    )  # fmt: skip
    _sheet(
        book, "shortfall kg",
        [("scenario", None), *((f"{s} kg", "#,##0.0") for s in report.rare_earths)],
        [[s.name, *(report.shortfall_kg[s.name][e] for e in report.rare_earths)]
         for s in report.scenarios],
    )  # fmt: skip
    _sheet(
        book, "scenarios",
        [("scenario", None), ("description", None), ("approval_rate", None),
         ("review_working_days", None), ("green_channel", None), ("overrides", None),
         ("levers", None)],
        [[s.name, s.description, words.rate_text(s.approval_rate),
          words.review_text(s.review_working_days), words.green_text(s),
          words.overrides_text(s), words.levers_text(s)] for s in report.scenarios],
    )  # fmt: skip
    _sheet(
        book, "regimes",
        [("regime", None), ("document", None), ("title", None), ("authority", None),
         ("elements", None), ("effective", DATE_FORMAT), ("ended", DATE_FORMAT),
         ("status", None), ("source", None)],
        [[r.id, r.document, r.title, r.authority, ", ".join(r.elements), r.effective, r.ended,
          words.regime_status(r, report.as_of), r.source] for r in report.regimes],
    )  # fmt: skip
    about: list[list[Any]] = [
        ["as_of", report.as_of],
        ["horizon_days", report.horizon_days],
        ["generated_at", words.generated_text(report.generated_at)],
        ["plants", len(report.plants)],
        ["scenarios", len(report.scenarios)],
        *(["summary", sentence] for sentence in _sentences(report)),
    ]
    _sheet(book, "about", [("item", None), ("value", None)], about)
    book.properties.creator = "reerisk"
    book.properties.created = report.generated_at.replace(tzinfo=None)
    book.save(stream)


def _result_rows(report: Report) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """Rows of the summary (plant x scenario), materials and elements sheets, worst plant first."""
    summary: list[list[Any]] = []
    materials: list[list[Any]] = []
    elements: list[list[Any]] = []
    for section in report.plants:
        for result in section.projection.results:
            row: list[Any] = [
                section.id, section.projection.name, result.scenario, result.runway_days,
                result.stockout_date, tier(result.runway_days), result.binding_material,
                result.breakeven_rate, result.short_days, result.exposed,
            ]  # fmt: skip
            if report.stats is not None:
                stats = report.stats.get((section.id, result.scenario))
                row += [None] * 3 if stats is None else [
                    stats.p10_days, stats.p50_days, stats.p_stockout
                ]  # fmt: skip
            summary.append(row)
            for m in result.materials:
                materials.append(
                    [section.id, result.scenario, m.id, m.unit, m.controlled, m.runway_days,
                     m.stockout_date, m.short_days, m.unmet, m.fill_rate, m.end_stock,
                     m.shortfall, m.breakeven_rate, m.recovery_days, m.exposed]
                )  # fmt: skip
            for e in result.elements:
                elements.append(
                    [section.id, result.scenario, e.symbol, e.controlled, e.demand_kg_per_day,
                     e.stock_kg, e.runway_days]
                )  # fmt: skip
    return summary, materials, elements


def _sentences(report: Report) -> list[str]:
    return [
        *words.summary_sentences(report),
        *(words.stockout_sentence(s, report) for s in report.earliest),
        *words.unsaved_sentences(report),
        words.shortfall_sentence(report),
    ]


def _sheet(book: Any, title: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    sheet = book.create_sheet(title)
    sheet.append([header for header, _ in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [len(header) for header, _ in columns]
    for row in rows:
        sheet.append(list(row))
        for index, value in enumerate(row):
            widths[index] = max(widths[index], len(_shown(value)))
    for index, (_, number_format) in enumerate(columns, 1):
        if number_format is not None:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = min(MAX_COLUMN_WIDTH, widths[index - 1] + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return "2025-06-02"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)

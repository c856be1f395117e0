"""`reerisk report`: the HTML, Markdown and xlsx documents, their contents, and their errors."""

from __future__ import annotations

import json
import os
import re
import sys
import xml.etree.ElementTree as ET
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from cli_helpers import (
    PLANTS,
    SAMPLE_PLANT_IDS,
    SAMPLE_SCENARIO_NAMES,
    SCENARIOS,
    assert_input_error,
    assert_ok,
    assert_usage_error,
    run,
    write,
)

from reerisk.errors import UsageError
from reerisk.report import choose_format

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
EPOCH = {"SOURCE_DATE_EPOCH": "1748822400"}  # 2025-06-02 00:00 UTC: reproducible documents

# A portfolio small enough to work out by hand. Every plant produces every day,
# nothing arrives, horizon 60 days, day 0 = 2025-06-02. With stock S and need N
# a day, days 0 .. ceil(S/N)-1 are covered and the runway is S/N when N divides S.
#   p-a: 100 kg Dy, 10 kg/day          -> runway 10 d (2025-06-12)
#   p-b: 50 magnets, 2 a day           -> runway 25 d (2025-06-27)
#   p-c: 300 kg Dy, 10 kg/day          -> runway 30 d (2025-07-02)
#   p-d: 1000 kg Dy, 1 kg/day          -> lasts the horizon
# Scenario `halved` (demand_scale 0.5) doubles each runway: 20, 50, 60 (= H: none), none.
# Nothing is ever licensed, so no approval rate helps: break-even is none for
# p-a, p-b and p-c under both scenarios, and 0 for p-d.
# Shortfall = need over 60 days - stock (each magnet: 500 g, 10 % Dy, 20 % Nd):
#   base:   p-a 600-100 = 500 kg Dy; p-b 120-50 = 70 pcs = 35 kg = 3.5 kg Dy + 7 kg Nd;
#           p-c 600-300 = 300 kg Dy                      -> Dy 803.5 kg, Nd 7 kg
#   halved: p-a 300-100 = 200 kg; p-b 60-50 = 10 pcs = 0.5 kg Dy + 1 kg Nd; p-c 0
#                                                        -> Dy 200.5 kg, Nd 1 kg
SMALL = """\
materials:
  Dy: {}
  magnet: {unit: pcs, mass_g: 500, composition: {Dy: 10, Nd: 20, Fe: 70}}
plants:
  - {id: p-d, name: Plenty, as_of: 2025-06-02, inventory: {Dy: 1000}, demand: {Dy: 1}}
  - {id: p-c, name: Third, as_of: 2025-06-02, inventory: {Dy: 300}, demand: {Dy: 10}}
  - id: p-b
    name: Magnets
    as_of: 2025-06-02
    inventory: {magnet: 50}
    lines: [{product: motor, units_per_day: 2, bom: {magnet: 1}}]
    recovery_days: {magnet: 40}
  - {id: p-a, name: First, as_of: 2025-06-02, inventory: {Dy: 100}, demand: {Dy: 10}}
"""
SMALL_SCENARIOS = """\
scenarios:
  - {name: base, approval_rate: 0.5}
  - {name: halved, approval_rate: 0.5, demand_scale: 0.5, description: production cut by half}
"""


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("small")
    return write(folder, "plants.yaml", SMALL), write(folder, "scenarios.yaml", SMALL_SCENARIOS)


@pytest.fixture(scope="module")
def sample_html(tmp_path_factory: pytest.TempPathFactory) -> str:
    target = tmp_path_factory.mktemp("html") / "risk.html"
    result = run("report", PLANTS, "--scenarios", SCENARIOS, "--output", target, env=EPOCH)
    assert_ok(result)
    return target.read_text(encoding="utf-8")


class StrictTags(HTMLParser):
    """Every element closed, in order (void elements excepted); no stray end tags."""

    VOID = frozenset({"meta", "br", "link", "img", "hr", "input", "col", "source", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.open[-1:]}")
            return
        self.open.pop()


def test_html_parses_with_every_tag_balanced(sample_html: str) -> None:
    parser = StrictTags()
    parser.feed(sample_html)
    parser.close()
    assert parser.doctype.lower() == "doctype html"
    assert parser.errors == []
    assert parser.open == []


def test_html_is_self_contained(sample_html: str) -> None:
    lowered = sample_html.lower()
    assert "http://" not in lowered
    assert "https://" not in lowered
    assert "<script" not in lowered
    assert "<link" not in lowered  # no stylesheet or font fetched
    assert "@import" not in lowered


def test_html_names_every_plant_and_scenario(sample_html: str) -> None:
    for plant in SAMPLE_PLANT_IDS:
        assert f'id="plant-{plant}"' in sample_html
    for scenario in SAMPLE_SCENARIO_NAMES:
        assert f"<th>{scenario}</th>" in sample_html


def test_html_opens_on_the_worst_plant_and_pages_break_per_plant(sample_html: str) -> None:
    assert "Most urgent: jp-compact-car" in sample_html
    positions = [sample_html.index(f'id="plant-{plant}"') for plant in SAMPLE_PLANT_IDS]
    # compare's order: shortest runway across scenarios first
    order = [p for _, p in sorted(zip(positions, SAMPLE_PLANT_IDS, strict=True))]
    assert order[:3] == ["jp-compact-car", "us-eps-brake", "ee-magnet-maker"]
    assert "break-before: page" in sample_html and "@media print" in sample_html


def test_html_inline_charts_have_one_line_per_scenario(sample_html: str) -> None:
    charts = re.findall(r"<svg\b.*?</svg>", sample_html, flags=re.DOTALL)
    assert len(charts) == len(SAMPLE_PLANT_IDS)
    for index, chart in enumerate(charts):
        lines = re.findall(rf'<g id="c{index}-line-(\d+)"', chart)
        assert sorted(map(int, lines)) == list(range(len(SAMPLE_SCENARIO_NAMES)))
    ids = re.findall(r'\bid="([^"]+)"', sample_html)
    assert len(ids) == len(set(ids)), "element ids repeat between charts"


def test_html_escapes_what_the_input_says(tmp_path: Path) -> None:
    plants = write(
        tmp_path, "p.yaml",
        'id: p1\nname: "<b>Bold</b> & <script>x</script>"\nas_of: 2025-06-02\n'
        "materials: {Dy: {}}\ninventory: {Dy: 10}\ndemand: {Dy: 1}\n",
    )  # fmt: skip
    result = run("report", plants, "--rate", "0.5", env=EPOCH)
    assert_ok(result)
    assert "<script" not in result.stdout
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; &lt;script&gt;" in result.stdout


def test_summary_names_the_hand_computed_earliest_stockouts(small: tuple[Path, Path]) -> None:
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, "--horizon", 60,
                 "--format", "markdown", env=EPOCH)  # fmt: skip
    assert_ok(result)
    text = result.stdout
    assert "1. p-a (First) runs out of Dy on 2025-06-12, in 10 days, under base." in text
    assert "2. p-b (Magnets) runs out of magnet on 2025-06-27, in 25 days, under base." in text
    assert "3. p-c (Third) runs out of Dy on 2025-07-02, in 30 days, under base." in text
    assert "3 of 4 plants run out within 60 days" in text
    assert "Under every scenario, no approval rate, even 100 %, keeps p-a and p-b running" in text
    assert "Under base, no approval rate, even 100 %, keeps p-c running for 60 days" in text
    assert "Closing every gap under base" in text
    assert "holding 7.0 kg Nd and 804 kg Dy" in text  # 803.5 rounds to 804
    assert "| halved | 1.0 | 200 |" in text  # Nd 1 kg; Dy 200.5 -> 200 (round half to even)


def test_markdown_snapshot(small: tuple[Path, Path], tmp_path: Path) -> None:
    """The whole Markdown document for the small portfolio, charts beside it."""
    plants, scenarios = small
    target = tmp_path / "risk.md"
    result = run("report", plants, "--scenarios", scenarios, "--horizon", 60,
                 "--output", target, env=EPOCH)  # fmt: skip
    assert_ok(result)
    written = target.read_text(encoding="utf-8")
    expected_file = SNAPSHOTS / "report-small.md"
    if os.environ.get("REERISK_UPDATE_SNAPSHOTS"):
        expected_file.write_text(written, encoding="utf-8")
    assert written == expected_file.read_text(encoding="utf-8"), (
        "the Markdown report changed: check it, then REERISK_UPDATE_SNAPSHOTS=1 to accept"
    )
    charts = sorted(p.name for p in (tmp_path / "risk-charts").iterdir())
    assert charts == ["p-a.svg", "p-b.svg", "p-c.svg", "p-d.svg"]
    assert "](risk-charts/p-a.svg)" in written


def test_chart_files_are_valid_svg_with_a_line_and_a_marker_per_scenario(
    small: tuple[Path, Path], tmp_path: Path
) -> None:
    plants, scenarios = small
    target = tmp_path / "risk.md"
    assert_ok(run("report", plants, "--scenarios", scenarios, "--horizon", 60,
                  "--output", target, env=EPOCH))  # fmt: skip
    svg = "{http://www.w3.org/2000/svg}"
    # p-a runs out under both scenarios (10 d, 20 d); p-c only under base (30 d); p-d never.
    for plant, stockouts in (("p-a", 2), ("p-c", 1), ("p-d", 0)):
        root = ET.parse(tmp_path / "risk-charts" / f"{plant}.svg").getroot()
        assert root.tag == f"{svg}svg"
        groups = [g.get("id", "") for g in root.iter(f"{svg}g")]
        assert sorted(g for g in groups if g.startswith("line-")) == ["line-0", "line-1"]
        assert len([g for g in groups if g.startswith("stockout-")]) == stockouts
        texts = " ".join(t.text or "" for t in root.iter(f"{svg}text"))
        assert "closing stock (kg)" in texts and "date (day 0 = 2025-06-02" in texts
        assert "base" in texts and "halved" in texts  # the legend


def test_charts_are_reproducible(small: tuple[Path, Path], tmp_path: Path) -> None:
    plants, scenarios = small
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    for target in (first, second):
        assert_ok(run("report", plants, "--scenarios", scenarios, "--output", target, env=EPOCH))
    assert first.read_bytes() == second.read_bytes()


def test_xlsx_reopens_with_numbers_and_dates(small: tuple[Path, Path], tmp_path: Path) -> None:
    plants, scenarios = small
    target = tmp_path / "risk.xlsx"
    assert_ok(run("report", plants, "--scenarios", scenarios, "--horizon", 60,
                  "--output", target, env=EPOCH))  # fmt: skip
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == [
        "summary", "materials", "elements", "shortfall kg", "scenarios", "regimes", "about",
    ]  # fmt: skip
    for sheet in book:
        assert sheet.freeze_panes == "A2", sheet.title
    summary = book["summary"]
    header = [c.value for c in summary[1]]
    rows = [dict(zip(header, row, strict=True)) for row in summary.iter_rows(min_row=2)]
    first = rows[0]  # worst plant first
    assert first["plant"].value == "p-a" and first["scenario"].value == "base"
    assert first["runway_days"].value == 10 and first["runway_days"].data_type == "n"
    assert first["stockout_date"].value == datetime(2025, 6, 12)
    assert first["stockout_date"].is_date
    assert first["breakeven_rate"].value is None  # no rate helps: an empty cell, like null
    materials = book["materials"]
    header = [c.value for c in materials[1]]
    for row in materials.iter_rows(min_row=2):
        record = dict(zip(header, row, strict=True))
        for name in ("short_days", "unmet", "fill_rate", "end_stock", "shortfall"):
            assert record[name].data_type == "n", (name, record[name].value)
    shortfall = book["shortfall kg"]
    assert [c.value for c in shortfall[1]] == ["scenario", "Nd kg", "Dy kg"]
    assert [c.value for c in shortfall[2]] == ["base", pytest.approx(7), pytest.approx(803.5)]
    assert book["summary"].column_dimensions["A"].width >= len("plant")


def test_markdown_on_stdout_has_no_charts(small: tuple[Path, Path]) -> None:
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, "--format", "markdown", env=EPOCH)
    assert_ok(result)
    assert result.stdout.startswith("# Rare-earth supply risk")
    assert ".svg" not in result.stdout


def test_html_goes_to_stdout_by_default(small: tuple[Path, Path]) -> None:
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, env=EPOCH)
    assert_ok(result)
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "generated 2025-06-02 00:00 UTC" in result.stdout


@pytest.mark.parametrize(
    ("output", "requested", "expected"),
    [
        (None, None, "html"),
        ("r.html", None, "html"),
        ("r.HTM", None, "html"),
        ("r.md", None, "markdown"),
        ("r.xlsx", None, "xlsx"),
        ("r.txt", "markdown", "markdown"),
        (None, "markdown", "markdown"),
        ("r.md", "markdown", "markdown"),
    ],
)
def test_format_follows_the_option_or_the_extension(
    output: str | None, requested: str | None, expected: str
) -> None:
    assert choose_format(None if output is None else Path(output), requested) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--output", "r.pdf"], "--output r.pdf: cannot tell the format from '.pdf'"),
        (["--output", "r.md", "--format", "html"], "--format html conflicts with --output r.md"),
        (["--format", "pdf"], "--format 'pdf': expected one of html, markdown, xlsx"),
        (["--format", "xlsx"], "--format xlsx needs --output FILE.xlsx"),
        (["--horizon", "0"], "--horizon 0: must be 1..3660 days"),
    ],
)
def test_format_and_option_mistakes_are_one_line_usage_errors(
    args: list[str], message: str
) -> None:
    assert_usage_error(run("report", PLANTS, *args), message)


def test_an_empty_portfolio_is_an_input_error(tmp_path: Path) -> None:
    plants = write(tmp_path, "empty.yaml", "plants: []\n")
    assert_input_error(run("report", plants, "--output", tmp_path / "r.html"), f"{plants}:1:")
    assert not (tmp_path / "r.html").exists()


def test_an_invalid_portfolio_is_an_input_error_and_writes_nothing(tmp_path: Path) -> None:
    plants = write(tmp_path, "bad.yaml", "id: p1\ninvetory: {Dy: 1}\n")
    target = tmp_path / "r.xlsx"
    assert_input_error(run("report", plants, "--output", target), f"{plants}:2:1: invetory")
    assert not target.exists()


def test_missing_matplotlib_names_the_pip_command(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    result = run("report", PLANTS)
    assert_usage_error(result, "the report's charts need matplotlib: pip install")
    assert "reerisk[report]" in result.stderr


def test_markdown_on_stdout_needs_no_matplotlib(
    small: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, "--format", "markdown", env=EPOCH)
    assert_ok(result)
    assert "## Assumptions" in result.stdout


def test_missing_openpyxl_names_the_pip_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "openpyxl", None)
    result = run("report", PLANTS, "--output", tmp_path / "r.xlsx")
    assert_usage_error(result, "xlsx output needs openpyxl: pip install")


def test_an_unwritable_output_leaves_no_file(small: tuple[Path, Path], tmp_path: Path) -> None:
    plants, _ = small
    target = tmp_path / "missing" / "risk.html"
    assert_usage_error(run("report", plants, "--output", target), f"--output {target}")


def test_source_date_epoch_must_be_seconds(small: tuple[Path, Path]) -> None:
    plants, _ = small
    result = run("report", plants, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert_usage_error(result, "SOURCE_DATE_EPOCH 'yesterday'")


def test_choose_format_refuses_unknown_names() -> None:
    with pytest.raises(UsageError):
        choose_format(Path("x"), None)


def test_sample_as_of_is_the_report_date(sample_html: str) -> None:
    assert f"As of <strong>{date(2025, 6, 2)}</strong>" in sample_html


def test_scenario_names_are_text_everywhere(tmp_path: Path) -> None:
    """Markup, TeX and matplotlib's hidden-label prefix in a name change nothing but the text."""
    plants = write(
        tmp_path, "p.yaml",
        "id: p1\nas_of: 2025-06-02\nmaterials: {Dy: {}}\ninventory: {Dy: 10}\ndemand: {Dy: 1}\n",
    )  # fmt: skip
    scenarios = write(
        tmp_path, "s.yaml",
        "scenarios:\n"
        "  - {name: '<script>alert(1)</script>', approval_rate: 0}\n"
        "  - {name: 'cost $5 and $10', approval_rate: 0}\n"
        "  - {name: _hidden, approval_rate: 0}\n",
    )  # fmt: skip
    result = run("report", plants, "--scenarios", scenarios, "--horizon", 30, env=EPOCH)
    assert_ok(result)
    page = result.stdout
    assert "<script" not in page
    assert (
        page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 3
    )  # heat table, chart, assumptions
    assert "cost $5 and $10: out 2025-06-12" in page  # the chart's legend, as typed
    assert "_hidden: out 2025-06-12" in page


def test_a_one_day_horizon_still_draws(tmp_path: Path) -> None:
    plants = write(
        tmp_path, "p.yaml",
        "id: p1\nas_of: 2025-06-02\nmaterials: {Dy: {}}\ninventory: {Dy: 10}\ndemand: {Dy: 1}\n",
    )  # fmt: skip
    result = run("report", plants, "--rate", "0", "--horizon", 1, env=EPOCH)
    assert_ok(result)
    assert result.stderr == ""
    assert '<g id="c0-line-0"' in result.stdout


def test_a_stockout_under_all_scenarios_says_every_scenario() -> None:
    result = run("report", PLANTS, "--as-of", "2025-09-01", "--horizon", 200,
                 "--format", "markdown", env=EPOCH)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "**Most urgent:** jp-compact-car (Compact-car assembly plant, Shizuoka) runs out of "
        "eps-arc-ndfeb on 2025-09-08, in 7 days, under every scenario." in result.stdout
    )


def test_trials_bring_simulate_figures_into_the_heat_table(tmp_path: Path) -> None:
    # The same plants, scenarios, trials and seed through `simulate --format json` and through
    # `report --trials`: every plant x scenario must carry the same P10, P50 and p(stockout).
    target = tmp_path / "risk.xlsx"
    common = [PLANTS, "--scenarios", SCENARIOS, "--trials", 300, "--seed", 7]
    assert_ok(run("report", *common, "--output", target, env=EPOCH))
    simulated = run("simulate", *common, "--format", "json")
    assert_ok(simulated)
    expected = {
        # JSON gives p_stockout to 6 decimals; the workbook keeps the whole float.
        (plant["id"], result["scenario"]): (
            result["p10"],
            result["p50"],
            pytest.approx(result["p_stockout"], abs=5e-7),
        )
        for plant in json.loads(simulated.stdout)["plants"]
        for result in plant["results"]
    }
    summary = openpyxl.load_workbook(target)["summary"]
    header = [c.value for c in summary[1]]
    found = {}
    for row in summary.iter_rows(min_row=2, values_only=True):
        record = dict(zip(header, row, strict=True))
        found[(record["plant"], record["scenario"])] = (
            record["p10_days"], record["p50_days"], record["p_stockout"],
        )  # fmt: skip
    assert found == expected
    assert len(found) == len(SAMPLE_PLANT_IDS) * len(SAMPLE_SCENARIO_NAMES)
    html = run("report", *common, env=EPOCH)
    assert_ok(html)
    assert html.stdout.count("p(stockout)") >= len(found)


def test_trials_on_a_portfolio_with_nothing_licensed_are_certain(
    small: tuple[Path, Path],
) -> None:
    # Nothing is reviewed, so every trial is the deterministic run: p-a runs out on day 10
    # (100 kg / 10 kg a day) in all of them, so p(stockout) is 100 % and P10 = P50 = 10 d.
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, "--horizon", 60, "--trials", 50,
                 "--format", "markdown", env=EPOCH)  # fmt: skip
    assert_ok(result)
    row = next(line for line in result.stdout.splitlines() if line.startswith("| **p-a**"))
    assert "P10 10 d, P50 10 d, p(stockout) 100%" in row


def test_trials_must_be_a_positive_count(small: tuple[Path, Path]) -> None:
    plants, _ = small
    assert_usage_error(run("report", plants, "--trials", "0"), "--trials 0")


def test_one_plant_one_scenario_reads_in_the_singular(small: tuple[Path, Path]) -> None:
    plants, _ = small
    result = run("report", plants, "--rate", "0.5", "--horizon", 60, "--format", "markdown",
                 env=EPOCH)  # fmt: skip
    assert_ok(result)
    # p-a, p-b and p-c run out within 60 days (10, 25 and 30 d); p-d does not.
    assert "3 of 4 plants run out within 60 days under the one scenario." in result.stdout
    assert "· 4 plants · 1 approval scenario ·" in result.stdout


def test_trials_add_the_earliest_pessimistic_stockout_to_the_summary(
    small: tuple[Path, Path],
) -> None:
    # Nothing is licensed, so every trial is the deterministic run: p-a's P10 is its runway,
    # 100 kg / 10 kg a day = day 10 (2025-06-12), under `base` (listed before `halved`, where
    # p-a lasts 20 days), and every trial runs out.
    plants, scenarios = small
    result = run("report", plants, "--scenarios", scenarios, "--horizon", 60, "--trials", 20,
                 "--format", "markdown", env=EPOCH)  # fmt: skip
    assert_ok(result)
    assert (
        "With each licence granted or refused whole, the earliest pessimistic stockout is p-a "
        "under base: one trial in ten runs out by day 10 (2025-06-12), and 100% of trials run "
        "out within 60 days."
    ) in result.stdout
    without = run("report", plants, "--scenarios", scenarios, "--horizon", 60,
                  "--format", "markdown", env=EPOCH)  # fmt: skip
    assert "pessimistic" not in without.stdout

"""Stock-over-time charts: matplotlib, rendered to SVG with no pyplot and no display.

One chart per plant, for the material that binds in its worst scenario: one
line per scenario (each with its own colour, dash pattern and marker, so it
still reads in greyscale), a large marker where each line first runs short,
and dates across the horizon on the x axis.

The SVG is deterministic (`svg.hashsalt` fixed, no date in the metadata), so
a Markdown snapshot of the same portfolio does not change from run to run.
Each line is a group with the id `line-N` and each stockout marker `stockout-N`
(N = the scenario's position), so that tests can count them.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import timedelta
from typing import Any, cast

from reerisk.errors import UsageError
from reerisk.report import INSTALL_HINT
from reerisk.report.model import PlantSection

# Okabe-Ito colours (distinguishable with colour-vision deficiency), darkest first.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000", "#E69F00", "#56B4E9")
DASHES: tuple[Any, ...] = (
    "solid", (0, (6, 2)), (0, (1, 1.5)), (0, (6, 2, 1, 2)), (0, (3, 1, 1, 1, 1, 1)),
    (0, (10, 3)), (0, (2, 3)),
)  # fmt: skip
MARKERS = ("o", "s", "^", "D", "v", "P", "X")
RC: dict[str, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, searchable, crisp in print
    "svg.hashsalt": "reerisk",  # stable element ids, so the output is reproducible
    "text.parse_math": False,  # a `$` in a scenario's name is text, not TeX
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def require_matplotlib() -> None:
    """Stop with a one-line usage error, naming the pip command, when matplotlib is missing."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError(f"the report's charts need matplotlib: {INSTALL_HINT}") from None


def stock_chart(section: PlantSection, horizon_days: int) -> str | None:
    """The plant's chart as a standalone SVG document, or None when nothing is consumed."""
    if section.chart_material is None or not section.series:
        return None
    require_matplotlib()
    # Font-cache notes ("building the font cache", after 5 s on a first run) are not the
    # report's business: stderr carries only reerisk's own lines.
    logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)
    import matplotlib
    import matplotlib.dates as mdates
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    as_of = section.projection.as_of
    dates = [as_of + timedelta(days=t) for t in range(horizon_days)]
    x = mdates.date2num(dates)  # type: ignore[no-untyped-call]
    material = next(
        m for m in section.projection.results[0].materials if m.id == section.chart_material
    )
    with matplotlib.rc_context(cast(Any, RC)):
        figure = Figure(figsize=(10, 4.6))
        axes = figure.add_subplot()
        every = max(1, horizon_days // 10)
        for index, series in enumerate(section.series):
            runway = series.first_short_day
            # A label starting with `_` would be left out of the legend.
            label = ("\u200b" if series.scenario.startswith("_") else "") + series.scenario + (
                f": out {dates[runway]} ({runway} d)" if runway is not None
                else f": lasts > {horizon_days} d"
            )  # fmt: skip
            style = index % len(COLOURS)
            (line,) = axes.plot(
                x, series.stock, drawstyle="steps-post", label=label, linewidth=1.3,
                color=COLOURS[style], linestyle=DASHES[style], marker=MARKERS[style],
                markersize=3.5, markevery=(index * every // max(1, len(section.series)), every),
            )  # fmt: skip
            line.set_gid(f"line-{index}")
            if runway is not None:
                (dot,) = axes.plot(
                    [x[runway]], [series.stock[runway]], linestyle="none",
                    marker=MARKERS[style], markersize=10, color=COLOURS[style],
                    markeredgecolor="black", markeredgewidth=1.0, zorder=5, clip_on=False,
                )  # fmt: skip
                dot.set_gid(f"stockout-{index}")
        if material.recovery_days is not None and material.recovery_days < horizon_days:
            axes.axvline(
                x[material.recovery_days], color="#555555", linestyle=(0, (1, 3)),
                linewidth=1.2, label=f"TTR: other source qualified ({material.recovery_days} d)",
            )  # fmt: skip
        axes.set_xlim(x[0], x[-1] + 1)  # the last day's step ends a day later
        axes.xaxis_date()
        top = max((max(s.stock) for s in section.series), default=0.0) or 1.0
        axes.set_ylim(-0.03 * top, top * 1.05)  # stockout markers sit on 0, above the axis
        axes.set_xlabel(f"date (day 0 = {as_of}, horizon {horizon_days} days)")
        axes.set_ylabel(f"closing stock ({material.unit})")
        axes.set_title(f"{section.chart_material}: stock at the end of each day", loc="left")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:,.0f}"))
        locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        )
        axes.grid(True, color="#dddddd", linewidth=0.6)
        axes.legend(
            loc="upper left", bbox_to_anchor=(0.0, -0.16), frameon=False, fontsize=8,
            ncols=3, title="scenario: first short day", title_fontsize=8, alignment="left",
        )  # fmt: skip
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return _clean(buffer.getvalue())


def _clean(svg: str) -> str:
    """A standalone SVG without the XML prolog, DOCTYPE and RDF metadata (which name URLs)."""
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.DOTALL)
    # Path data to 2 decimals (1/100 pt): a third smaller, and no visible change.
    svg = _PATH_DATA.sub(lambda m: _DECIMALS.sub(r"\1", m.group(0)), svg)
    return svg.strip() + "\n"


_PATH_DATA = re.compile(r'\sd="[^"]*"')
_DECIMALS = re.compile(r"(\d\.\d{2})\d+")


_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(svg: str, prefix: str) -> str:
    """The SVG for embedding in HTML: no namespace URLs, ids made unique with `prefix`.

    HTML parses inline `<svg>` into the SVG namespace by itself, and `href`
    replaces `xlink:href` (SVG 2), so no `http://` is left. Several charts in
    one page reuse matplotlib's ids, hence the prefix.
    """
    svg = re.sub(r'\s+xmlns(:xlink)?="[^"]*"', "", svg)
    svg = svg.replace("xlink:href=", "href=")
    for name in dict.fromkeys(_ID.findall(svg)):
        svg = svg.replace(f'id="{name}"', f'id="{prefix}{name}"')
        svg = svg.replace(f'"#{name}"', f'"#{prefix}{name}"')
        svg = svg.replace(f"url(#{name})", f"url(#{prefix}{name})")
    return svg

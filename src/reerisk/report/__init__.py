"""`reerisk report`: the meeting document, as self-contained HTML, Markdown or an xlsx workbook.

    model.py     projections -> what the document says (pure: no matplotlib, no files)
    words.py     its sentences and short texts, plain, for every format
    charts.py    stock-over-time charts as SVG (matplotlib, imported only here)
    html.py      the self-contained HTML page (css.py: its inline stylesheet)
    markdown.py  the same contents as Markdown, charts as SVG files beside it
    xlsx.py      one sheet per table (openpyxl)
    write.py     choosing the format, writing atomically

This module stays light: the CLI imports it to check options before loading anything.
"""

from __future__ import annotations

from pathlib import Path

from reerisk.errors import UsageError

FORMATS = ("html", "markdown", "xlsx")
EXTENSIONS = {".html": "html", ".htm": "html", ".md": "markdown", ".xlsx": "xlsx"}
INSTALL_HINT = 'pip install "reerisk[report]" (or, in a checkout: pip install -e ".[report]")'


def choose_format(output: Path | None, requested: str | None) -> str:
    """The format from `--format`, else from the extension of `--output`, else HTML.

    A `--format` that disagrees with a known extension is a usage error, and so
    is an unknown extension with no `--format`: guessing would write the wrong thing.
    """
    if requested is not None and requested not in FORMATS:
        raise UsageError(f"--format {requested!r}: expected one of {', '.join(FORMATS)}")
    from_extension = None
    if output is not None:
        suffix = output.suffix.lower()
        from_extension = EXTENSIONS.get(suffix)
        if from_extension is None and requested is None:
            raise UsageError(
                f"--output {output}: cannot tell the format from {suffix or 'no extension'!r}; "
                "use .html, .md or .xlsx, or give --format html|markdown|xlsx"
            )
    if requested is not None and from_extension is not None and requested != from_extension:
        raise UsageError(
            f"--format {requested} conflicts with --output {output} (a {from_extension} name)"
        )
    chosen = requested or from_extension or "html"
    if chosen == "xlsx" and output is None:
        raise UsageError("--format xlsx needs --output FILE.xlsx: a workbook is not text")
    return chosen

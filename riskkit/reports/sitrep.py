"""The day's situation report as a PDF (A4 portrait, the committee papers' fonts, shades
and page furniture) and as plain text to paste into an email. Plain data in
(services.sitrep), bytes or text out; the accessible HTML version is reports/html.py's.

Levels by area, then every indicator's latest reading with its level, change and chart,
then the decision log of the day, then the card steps still open at the organisation's
level. A level is always named in words beside its shade.
"""

from __future__ import annotations

import io
from datetime import date

# Escapes text for ReportLab markup; parses no XML, so bandit's B406 does not apply.
from xml.sax.saxutils import escape  # nosec B406

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    Paragraph,
    Table,
    TableStyle,
)

from riskkit.reports.charts import shades, trend_chart
from riskkit.reports.pages import (
    GRID,
    HEADER_ROW,
    STYLES,
    TABLE_FONT,
    WIDTH,
    PageTotalCanvas,
    PortraitDocument,
    draw_page_furniture,
)
from riskkit.scoring import text_colour
from riskkit.services.sitrep import KIND_WORDS, Sitrep


def sitrep_pdf(report: Sitrep, generated_on: date) -> bytes:
    out = io.BytesIO()
    document = PortraitDocument(out, title=report.title, author=report.organisation,
                                subject=f"Operational pressure situation report for {report.day:%d/%m/%Y}",
                                generated_on=generated_on, decorate=_decorate)
    document.report = report
    document.build(_story(report), canvasmaker=PageTotalCanvas)
    return out.getvalue()


def _decorate(canv, document: PortraitDocument) -> None:
    draw_page_furniture(canv, document.page, document.report.title, document.report.organisation,
                        document.generated_on)


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(text, STYLES[style])


def _table(rows: list[list], widths_mm: list[float], style=()) -> Table:
    table = Table(rows, colWidths=[w * mm for w in widths_mm], hAlign="LEFT", repeatRows=1)
    table.setStyle(TableStyle(GRID + HEADER_ROW + list(style)))
    return table


def _cells(*texts: str, style: str = "cell") -> list[Paragraph]:
    return [_p(escape(text or ""), style) for text in texts]


def _story(report: Sitrep) -> list[Flowable]:
    flow: list[Flowable] = [_p(escape(report.organisation), "organisation"), _p(escape(report.title), "title")]
    for heading, body in (("1. Levels by area", _levels(report)), ("2. Indicators", _indicators(report)),
                          ("3. Decision log of the day", _log(report)), ("4. Open steps", _open_steps(report))):
        flow += [CondPageBreak(35 * mm), _p(heading, "heading")] + body
    return flow


def _levels(report: Sitrep) -> list[Flowable]:
    """Each area's level, its name printed on its shade (as dark as it is severe)."""
    painted = shades(report.scheme, 215.0, 70.0)
    by_rank = {band.rank: painted[band.label] for band in report.scheme}
    rows = [[_p(name, "label") for name in ("Area", "Level", "Declared", "Reason")]]
    style = []
    for n, level in enumerate(report.levels, start=1):
        declared = f"{level.declared_at:%H:%M %d/%m/%Y} by {level.declared_by}" if level.declared_at else ""
        rows.append(_cells(level.area, level.level or "Not declared", declared, level.reason))
        if level.rank in by_rank:
            shade = by_rank[level.rank]
            style.append(("BACKGROUND", (1, n), (1, n), colors.HexColor(shade)))
            rows[-1][1] = _p(f"<font color='{text_colour(shade)}'><b>{escape(level.level)}</b></font>", "cell")
    return [_table(rows, [40, 30, 40, 64], style)]


def _indicators(report: Sitrep) -> list[Flowable]:
    if not report.indicators:
        return [_p("No indicators are kept yet.")]
    rows = [[_p(name, "label") for name in ("Indicator", "Latest", "Level", "Change")]]
    for row in report.indicators:
        rows.append(_cells(row.name_words, row.latest_words, row.level_words, row.change))
    flow: list[Flowable] = [_table(rows, [62, 38, 44, 30])]
    charts = [trend_chart(row.trend, width=WIDTH / 2 - 6, height=150).drawing for row in report.indicators]
    pairs = [charts[n:n + 2] + [""] * (2 - len(charts[n:n + 2])) for n in range(0, len(charts), 2)]
    grid = Table(pairs, colWidths=[WIDTH / 2] * 2, hAlign="LEFT")
    grid.setStyle(TableStyle(TABLE_FONT + [("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (-1, -1), 8)]))
    return flow + [_p(f"Trends over the last {report.indicators[0].trend.span} days", "subheading"), grid]


def _log(report: Sitrep) -> list[Flowable]:
    if not report.log:
        return [_p("Nothing was logged on this day.")]
    rows = [[_p(name, "label") for name in ("Time", "Author", "Kind", "Area", "Entry")]]
    rows += [_cells(f"{e.at:%H:%M}", e.author, KIND_WORDS.get(e.kind, e.kind), e.area, e.text) for e in report.log]
    return [_table(rows, [14, 30, 20, 28, 82])]


def _open_steps(report: Sitrep) -> list[Flowable]:
    if report.open_level is None:
        return [_p("No level has been declared for the whole organisation.")]
    if not report.open_steps:
        return [_p(f"Every step of every card at {escape(report.open_level)} is done.")]
    rows = [[_p(name, "label") for name in ("Role", "Held by", "Step")]]
    rows += [_cells(s.role, s.holders, s.text) for s in report.open_steps]
    return [_p(f"Steps not yet marked done at {escape(report.open_level)}, the organisation's level:"),
            _table(rows, [50, 38, 86])]


def sitrep_text(report: Sitrep) -> str:
    """The sitrep as plain text, to paste into an email: no table wider than a line."""
    lines = [report.organisation, report.title, "=" * len(report.title), "", "LEVELS BY AREA"]
    for level in report.levels:
        lines.append(f"- {level.area}: {level.level or 'not declared'}")
        if level.declared_at:
            lines.append(f"  declared {level.declared_at:%H:%M %d/%m/%Y} by {level.declared_by}: {level.reason}")
    lines += ["", "INDICATORS"]
    lines += [f"- {row.name_words}: {row.latest_words}; {row.level_words}; {row.change}"
              for row in report.indicators] or ["No indicators are kept yet."]
    lines += ["", "DECISION LOG OF THE DAY"]
    lines += [f"- {e.at:%H:%M} {e.author} ({KIND_WORDS.get(e.kind, e.kind).lower()}, {e.area}): {e.text}"
              for e in report.log] or ["Nothing was logged on this day."]
    lines += ["", "OPEN STEPS"]
    if report.open_level is None:
        lines.append("No level has been declared for the whole organisation.")
    elif not report.open_steps:
        lines.append(f"Every step of every card at {report.open_level} is done.")
    else:
        lines.append(f"Not yet done at {report.open_level}:")
        lines += [f"- {s.role} ({s.holders}): {s.text}" for s in report.open_steps]
    return "\n".join(lines) + "\n"

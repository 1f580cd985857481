"""The accessible version of each committee document: one standalone HTML file (styles
inline, no scripts, lang en-GB, headings in order, real tables with header cells and
captions). reportlab cannot tag a PDF, so this is the format the council publishes to meet
the Public Sector Bodies Accessibility Regulations.

Plain data in (the same objects the PDF renderers take, gathered by the same services),
UTF-8 bytes out, from the Jinja templates in templates/papers/. Like the other renderers
it knows nothing of Flask and never reads the database or the clock.
"""

from __future__ import annotations

import functools
from datetime import date

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from riskkit import resources, scoring
from riskkit.services import indicator_quarter as quarter
from riskkit.services.appendix import Appendix
from riskkit.services.exercise_report import ExerciseReport, ImprovementPlan, plural
from riskkit.services.heatmaps import HeatMapReport
from riskkit.services.indicators import number
from riskkit.services.sitrep import KIND_WORDS, Sitrep

#: The heat map's captions, as the PDF prints them.
CAPTIONS = {"current": "Current risk", "target": "Target risk"}


def appendix_html(appendix: Appendix, generated_on: date) -> bytes:
    """The committee register appendix, Part A (`appendix.public`) or Part B."""
    return _render("appendix.html", appendix.organisation, generated_on, appendix=appendix,
                   quarter=quarter)


def changes_html(appendix: Appendix, generated_on: date) -> bytes:
    """The appendix's changes tables alone: each register's rating changes, new, escalated
    and closed risks since `appendix.since`."""
    return _render("changes.html", appendix.organisation, generated_on, appendix=appendix)


def heat_map_html(report: HeatMapReport) -> bytes:
    return _render("heat_map.html", report.organisation, report.generated, report=report)


def exercise_report_html(report: ExerciseReport, generated_on: date) -> bytes:
    return _render("exercise_report.html", report.organisation, generated_on, report=report)


def improvement_plan_html(plan: ImprovementPlan, organisation: str, generated_on: date) -> bytes:
    return _render("improvement_plan.html", organisation, generated_on, plan=plan)


def sitrep_html(report: Sitrep, generated_on: date) -> bytes:
    """The day's situation report; its charts' readings as tables."""
    return _render("sitrep.html", report.organisation, generated_on, report=report, kind_words=KIND_WORDS)


def _render(name: str, organisation: str, generated_on: date, **context) -> bytes:
    # generate() streams: the appendix's risks are read from the database as they are written.
    template = _environment().get_template(name)
    return "".join(template.generate(organisation=organisation, generated_on=generated_on,
                                     **context)).encode("utf-8")


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(resources.folder("templates") / "papers"),
        autoescape=select_autoescape(default=True), undefined=StrictUndefined,
        trim_blocks=True, lstrip_blocks=True,
    )
    environment.filters.update(date=_date, long_date=_long_date, plural=plural, ink=scoring.text_colour,
                               measure=number)
    environment.globals.update(captions=CAPTIONS)
    return environment


def _date(value: date | None) -> str:
    """dd/mm/yyyy, as the PDFs print dates; nothing for no date."""
    return f"{value:%d/%m/%Y}" if value else ""


def _long_date(value: date) -> str:
    return f"{value.day} {value:%B %Y}"

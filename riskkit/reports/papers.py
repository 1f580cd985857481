"""The committee papers a quarter publishes, rendered: the renderers handed to
services.publishing, and the changes table as CSV."""

import csv
import io

from riskkit.services.appendix import Appendix
from riskkit.services.changes import HEADERS
from riskkit.services.publishing import Renderers


def changes_csv(appendix: Appendix) -> bytes:
    """Every register's changes table, one row per risk, the register first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["register", *HEADERS])
    for section in appendix.sections:
        writer.writerows([section.code, *change.as_row()] for change in section.changes)
    return out.getvalue().encode("utf-8")


def renderers() -> Renderers:
    """The renderers every face publishes with, so the web and the CLI store the same."""
    from riskkit.reports.appendix import render_appendix
    from riskkit.reports.heatmap import to_pdf

    return Renderers(appendix=render_appendix, heat_map=to_pdf, changes=changes_csv)

"""evidence: the packs internal audit, ISO 22301 auditors and NHS England ask for, as a
PDF or an Excel workbook (services.evidence, reports.evidence)."""

from pathlib import Path

import click
from flask import current_app

from riskkit.commands.common import ISO_DATE, command, today
from riskkit.errors import ValidationError
from riskkit.services import document_log, evidence
from riskkit.services.registers import get_register

SUFFIXES = (".pdf", ".xlsx")


@command("evidence")
@click.argument("pack", metavar="eprr|iso22301|audit")
# A plain string: write_atomically reports every unwritable path as one line and exit 1.
@click.argument("path", metavar="FILE.pdf|FILE.xlsx")
@click.option("--from", "start", type=ISO_DATE,
              help="The period's first day (YYYY-MM-DD; default: twelve months before --to).")
@click.option("--to", "end", type=ISO_DATE, help="The period's last day (YYYY-MM-DD; default today).")
@click.option("--register", "code", metavar="CODE",
              help="The audit pack only: this register and those below it (default: every register).")
def evidence_command(pack, path, start, end, code):
    """Write an evidence pack for a period as a PDF or an Excel workbook (FILE's suffix
    chooses): eprr (NHS EPRR training and exercising), iso22301 (exercising and corrective
    action, clauses 8.5 and 9.1) or audit (internal audit's view of the register)."""
    from riskkit.reports.evidence import evidence_pdf, evidence_workbook  # on first use
    from riskkit.reports.files import write_atomically

    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise ValidationError(f"Cannot write the evidence pack to {path[:80]!r}: the file name"
                              " must end in .pdf or .xlsx", field="file")
    day = today()
    end = end or day
    start = start or evidence.default_period(end)[0]
    config = current_app.config
    built = evidence.build(pack, start, end, day, target=config["ACTION_DELIVERY_TARGET"],
                           assurance_months=config["ASSURANCE_MONTHS"],
                           register=get_register(code) if code else None)
    data = evidence_pdf(built, config["ORGANISATION_NAME"], day) if suffix == ".pdf" \
        else evidence_workbook(built)
    written = write_atomically(path, data)
    document_log.record(None, "exported", f"{built.title}, {built.period_words}", str(written))
    click.echo(f"Wrote {written}: {built.title}, {built.period_words}")


COMMANDS = [evidence_command]

"""export: the register as an Excel workbook (risks, controls, actions, reviews) or
its risks as CSV."""

from pathlib import Path

import click

from riskkit.commands.common import command
from riskkit.errors import ValidationError
from riskkit.reports.files import write_atomically
from riskkit.services import document_log
from riskkit.services.exports import export_sheets, register_filter
from riskkit.services.registers import get_register

FORMATS = (".xlsx", ".csv")


@command("export")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--register", "code", metavar="CODE",
              help="Only this register (a corporate register takes in those below it).")
def export(file, code):
    """Write FILE.xlsx (sheets Risks, Controls, Actions, Reviews) or FILE.csv (risks)."""
    from riskkit.reports.workbook import (  # on first use: the CLI starts fast
        csv_bytes,
        workbook_bytes,
    )
    kind = file.suffix.lower()
    if kind not in FORMATS:
        raise ValidationError(f"Cannot export to {str(file)!r}: the file name must end in .xlsx"
                              " (an Excel workbook) or .csv (the risks only)", field="file")
    register = get_register(code) if code else None
    sheets = export_sheets(register_filter(register) if register else None)
    if kind == ".xlsx":
        title = f"Risk register {register.code}" if register else "Risk registers"
        data = workbook_bytes(sheets, title=title)
    else:
        data = csv_bytes(sheets[0].headers, sheets[0].rows)
    written = write_atomically(file, data)
    document_log.record(None, "exported", f"Risk register {register.code}" if register
                        else "Risk registers", str(written))
    click.echo(f"Wrote {written}")


COMMANDS = [export]

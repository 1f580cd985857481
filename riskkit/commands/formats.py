"""--format for the committee documents: the PDF (or workbook) as before, its accessible
HTML version instead, or both side by side (FILE and FILE with .html for its suffix)."""

from collections.abc import Callable
from pathlib import Path

import click

from riskkit.errors import ValidationError
from riskkit.reports.files import write_atomically

HTML = ".html"


def format_option(primary: str = "pdf"):
    return click.option(
        "--format", "output", type=click.Choice([primary, "html", "both"]), default=primary,
        show_default=True,
        help=f"{primary.upper()}, the accessible HTML version (FILE must end in .html), or both"
             f" (the HTML beside FILE, with .html for its suffix).")


def targets(path: str, output: str, primary: str) -> dict[str, Path]:
    """Where each format asked for goes, checked before anything is gathered or written."""
    target = Path(path)
    if output == "html":
        if target.suffix.lower() != HTML:
            raise ValidationError(f"Cannot write the HTML version to {path!r}: the file name must end in"
                                  f" .html (or give --format both to write it beside the {primary.upper()})",
                                  field="file")
        return {"html": target}
    if output == "both" and target.suffix.lower() == HTML:
        raise ValidationError(f"Cannot write the {primary.upper()} to {path!r}: with --format both, FILE"
                              f" is the {primary.upper()} and the HTML version goes beside it", field="file")
    if target.suffix.lower() != f".{primary}":  # a PDF saved as notes.txt opens as nothing
        raise ValidationError(f"Cannot write the {primary.upper()} to {path!r}: the file name must end in"
                              f" .{primary} (or .html with --format html)", field="file")
    chosen = {primary: target}
    if output == "both":
        chosen["html"] = target.with_suffix(HTML)
    return chosen


def write(chosen: dict[str, Path], renderers: dict[str, Callable[[], bytes]]) -> str:
    """Render and write each file in turn; "a.pdf and a.html" for the message."""
    return " and ".join(str(write_atomically(target, renderers[kind]())) for kind, target in chosen.items())

"""import: a register from an Excel workbook or CSV file, as councils keep them."""

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import yaml
from flask import current_app

from riskkit.commands.common import command, stderr, today
from riskkit.errors import ValidationError
from riskkit.services.imports import uploads
from riskkit.services.imports.importer import import_file
from riskkit.services.named_files import read_text


def read_mapping(path: Path) -> dict:
    """A mapping file: TOML if it ends .toml, else YAML."""
    text = read_text(path, "mapping")
    try:
        return tomllib.loads(text) if path.suffix.lower() == ".toml" else yaml.safe_load(text) or {}
    except (yaml.YAMLError, tomllib.TOMLDecodeError) as error:
        reason = str(error).splitlines()[0]
        raise ValidationError(f"Cannot read the mapping file {path.name}: {reason}",
                              field="mapping") from None


@command("import")
@click.argument("file", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--register", "code", required=True, metavar="CODE",
              help="The register to import into (created if new: give --matrix).")
@click.option("--matrix", metavar="NAME", help="The matrix of a new register (riskkit matrices list).")
@click.option("--sheet", metavar="NAME", help="Read the risks from this sheet only.")
@click.option("--mapping", "mapping_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A YAML or TOML mapping overriding the guessed one (see --dry-run).")
@click.option("--dry-run", is_flag=True, help="Print the mapping and what would happen; write nothing.")
@click.option("--update", is_flag=True, help="Update risks whose reference is already in riskkit.")
@click.option("--create-owners", is_flag=True,
              help="Add owners riskkit does not know as people without a sign-in.")
def import_register(file, code, matrix, sheet, mapping_file, dry_run, update, create_owners):
    """Import risks, controls, actions and reviews from FILE.xlsx or FILE.csv, all or nothing."""
    result = import_file(
        file, register_code=code, as_of=today(), matrix=matrix, sheet=sheet,
        mapping=read_mapping(mapping_file) if mapping_file else None, update=update,
        dry_run=dry_run, create_owners=create_owners)
    if dry_run:
        click.echo("# The mapping guessed: save it, edit it and pass it back with --mapping")
        click.echo(yaml.safe_dump(result.mapping.as_dict(), sort_keys=False, allow_unicode=True))
        for row in result.rows:
            click.echo(f"{row.sheet} row {row.row}: {row.outcome} {row.reference}"
                       f" {row.title}".rstrip() + (f" ({row.detail})" if row.detail else ""))
    for problem in result.problems:
        stderr(str(problem))
    if result.problems:
        raise click.ClickException(
            f"{len(result.problems)} problem(s) in {result.file_name}; nothing was imported")
    verb = "Would import" if dry_run else "Imported"
    click.echo(f"{verb} into {result.register}: {result.summary}")


@command("clean-uploads")
@click.option("--hours", type=click.IntRange(1, 24 * 365), default=24, show_default=True,
              help="Remove uploads older than this many hours.")
def clean_uploads(hours):
    """Remove files uploaded for import on the web and never confirmed (the web upload
    also removes those older than a day itself, each time a file is uploaded)."""
    removed = uploads.remove_abandoned(current_app.config["SETTINGS"].data_dir,
                                       datetime.now(UTC), timedelta(hours=hours))
    click.echo(f"Removed {removed} upload(s) older than {hours} hours")


COMMANDS = [import_register, clean_uploads]

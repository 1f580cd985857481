"""matrices: list, show as a coloured grid, import from a file."""

import click

from riskkit import scoring
from riskkit.commands.common import command, print_table
from riskkit.extensions import db
from riskkit.services import matrices as service


@click.group("matrices", invoke_without_command=True)
@click.pass_context
def matrices(ctx):
    """List the scoring matrices; `show SLUG` draws one, `import FILE` adds one."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_matrices)


@command("list")
def list_matrices():
    """List the scoring matrices with their bands and review intervals."""
    rows = []
    for row in service.all_matrices():
        m = row.matrix
        bands = ", ".join(
            f"{b.name} {b.min_score}-{b.max_score}" if b.min_score is not None else b.name
            for b in m.bands)
        rows.append([m.slug, m.name, f"{len(m.likelihood)} x {len(m.impact)}", bands,
                     "grid" if m.grid else "score"])
    print_table(["slug", "name", "size", "bands", "rated by"], rows)


@command("show")
@click.argument("slug")
def show(slug):
    """Draw a matrix as a grid: likelihood down, impact across, each cell's band and score."""
    m = service.get_matrix(slug).matrix
    width = max(len(f"{len(m.impact)} {label}") for label in m.impact) + 2
    side = max(len(label) for label in m.likelihood) + 6
    click.echo(f"{m.name} ({m.slug})\n")
    click.echo(" " * side + "".join(f"{i} {label}".center(width) for i, label
                                    in enumerate(m.impact, 1)))
    for lk in reversed(m.levels("likelihood")):
        cells = []
        for im in m.levels("impact"):
            band = scoring.rating(m, lk, im)
            text = f"{band.name} {scoring.score(lk, im)}".center(width)
            cells.append(click.style(text, bg=_rgb(band.colour), fg=_ink(band.colour)))
        click.echo(f"{lk} {m.likelihood[lk - 1]}".ljust(side) + "".join(cells))
    click.echo("")
    for band in m.bands:
        span = f" {band.min_score}-{band.max_score}" if band.min_score is not None else ""
        click.echo(f"{band.name} ({band.colour_name}){span}: review every {band.review_months}"
                   f" month{'s' if band.review_months > 1 else ''}")


@command("import")
@click.argument("path", type=click.Path(dir_okay=False))
def import_file(path):
    """Add the matrices in a riskkit YAML/JSON file or a CISO Assistant library."""
    added = service.import_matrix_file(path)
    db.session.commit()
    for row in added:
        click.echo(f"Added matrix {row.slug}: {row.name}")


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _ink(colour: str) -> str:
    r, g, b = _rgb(colour)
    return "black" if 0.299 * r + 0.587 * g + 0.114 * b > 150 else "white"


matrices.add_command(list_matrices)
matrices.add_command(show)
matrices.add_command(import_file)
COMMANDS = [matrices]

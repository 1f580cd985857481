"""registers: list, add, edit. The rules (a unique code, a parent that keeps the tree a
tree, the code and matrix fixed once there are risks) are services.registers'."""

import click

from riskkit import vocab
from riskkit.commands.common import command, print_table
from riskkit.extensions import db
from riskkit.services.matrices import get_matrix
from riskkit.services.people import find_person
from riskkit.services.registers import all_registers, get_register, save_register

DEFAULT_MATRIX = "council-5x5"


@click.group("registers")
def registers():
    """List, add and change registers and the tree they make."""


@command("list")
def list_registers():
    """List registers: code, name, level, parent and scoring matrix."""
    print_table(["code", "name", "level", "parent", "matrix"], [
        [r.code, r.name, r.level, r.parent.code if r.parent else "-", r.matrix_definition.slug]
        for r in all_registers()])


@command("add")
@click.argument("code")
@click.option("--name", required=True, help="The register's name.")
@click.option("--level", type=click.Choice(vocab.values(vocab.REGISTER_LEVELS)),
              default="directorate", show_default=True)
@click.option("--parent", metavar="CODE", help="The register it sits below.")
@click.option("--matrix", metavar="SLUG", default=DEFAULT_MATRIX, show_default=True,
              help="The scoring matrix (see riskkit matrices list).")
@click.option("--owner", help="The register's owner (name or email).")
def add(code, name, level, parent, matrix, owner):
    """Add a register with reference prefix CODE (1 to 6 letters)."""
    register = save_register(None, None, code=code, name=name, level=level,
                             parent=get_register(parent) if parent else None,
                             matrix=get_matrix(matrix), owner=find_person(owner) if owner else None)
    db.session.commit()
    click.echo(f"Added register {register.code}")


@command("edit")
@click.argument("code")
@click.option("--name", help="A new name.")
@click.option("--level", type=click.Choice(vocab.values(vocab.REGISTER_LEVELS)))
@click.option("--parent", metavar="CODE", help="Move it below this register.")
@click.option("--no-parent", is_flag=True, help="Move it to the top of the tree.")
@click.option("--matrix", metavar="SLUG", help="Another scoring matrix (only while it has no risks).")
@click.option("--owner", help="A new owner (name or email).")
@click.option("--escalate-at", type=int, metavar="SCORE",
              help="Propose risks at or above this current score for escalation to the parent.")
@click.option("--no-escalate", is_flag=True, help="Remove the escalation threshold.")
def edit(code, name, level, parent, no_parent, matrix, owner, escalate_at, no_escalate):
    """Change register CODE; what is not given stays as it is."""
    register = get_register(code)
    if parent and no_parent:
        raise click.ClickException("Give --parent or --no-parent, not both")
    if escalate_at is not None and no_escalate:
        raise click.ClickException("Give --escalate-at or --no-escalate, not both")
    new_parent = None if no_parent else get_register(parent) if parent else register.parent
    save_register(None, register, code=register.code, name=name or register.name,
                  level=level or register.level, parent=new_parent,
                  matrix=get_matrix(matrix) if matrix else register.matrix_definition,
                  owner=find_person(owner) if owner else register.owner,
                  escalate_at=None if no_escalate else escalate_at if escalate_at is not None
                  else register.escalate_at)
    db.session.commit()
    click.echo(f"Saved register {register.code}"
               + (f", below {register.parent.code}" if register.parent else ", at the top")
               + (f", escalating at {register.escalate_at}" if register.escalate_at else ""))


for sub in (list_registers, add, edit):
    registers.add_command(sub)
COMMANDS = [registers]

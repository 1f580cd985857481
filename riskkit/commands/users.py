"""users: add, list, set-role."""

import sys

import click
from sqlalchemy import select

from riskkit import vocab
from riskkit.commands.common import command, print_table
from riskkit.extensions import db
from riskkit.models import User
from riskkit.services.people import add_person, find_person


@click.group("users")
def users():
    """Manage the people who sign in and own risks."""


@command("add")
@click.argument("email")
@click.option("--name", required=True, help="Full name, as shown on the register.")
@click.option("--role", type=click.Choice(vocab.values(vocab.ROLES)), default="viewer",
              show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add(email, name, role, password_stdin):
    """Add a user who can sign in (the password is asked for, or read from stdin)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    person = add_person(name, email, role)
    person.set_password(password)
    db.session.commit()
    click.echo(f"Added {person.name} <{person.email}> as {person.role}")


@command("list")
def list_users():
    """List people, their roles and whether they can sign in."""
    rows = [[u.name, u.email or "", u.role, "yes" if u.password_hash and u.active else "no"]
            for u in db.session.scalars(select(User).order_by(User.name))]
    print_table(["name", "email", "role", "can sign in"], rows)


@command("set-role")
@click.argument("person")
@click.argument("role", type=click.Choice(vocab.values(vocab.ROLES)))
def set_role(person, role):
    """Change a person's role (PERSON is a name or email)."""
    user = find_person(person)
    user.role = role
    db.session.commit()
    click.echo(f"{user.name} is now {vocab.label(vocab.ROLES, role).lower()}")


for sub in (add, list_users, set_role):
    users.add_command(sub)
COMMANDS = [users]

"""tokens: the API's personal access tokens, for an administrator at the command line
(services.tokens)."""

import click

from riskkit import vocab
from riskkit.commands.common import ISO_DATE, RECORD_ID, command, print_table, today
from riskkit.extensions import db
from riskkit.models.base import utcnow
from riskkit.services.people import find_person
from riskkit.services.risks import commit
from riskkit.services.tokens import create_token, get_token, list_tokens, revoke_token


@click.group("tokens")
def tokens():
    """List, make and revoke API tokens (each acts as its person)."""


@command("list")
@click.option("--user", "person", metavar="PERSON", help="Only this person's tokens (name or email).")
def list_all(person):
    """List tokens: id, person, name, scope, expiry, last use and state."""
    found = find_person(person) if person else None
    print_table(["id", "person", "name", "scope", "expires", "last used", "state"], [
        [t.id, t.user.name, t.name, t.scope, t.expires_on.isoformat(),
         t.last_used_at.strftime("%Y-%m-%d %H:%M") if t.last_used_at else "never", t.state(today())]
        for t in list_tokens(None, found)])


@command("create")
@click.option("--user", "person", required=True, metavar="PERSON", help="Whose token (name or email).")
@click.option("--name", required=True, help="What the token is for, like 'Power BI risk dashboard'.")
@click.option("--scope", type=click.Choice(vocab.values(vocab.TOKEN_SCOPES)), default="read", show_default=True)
@click.option("--expires", type=ISO_DATE, help="The last day it works (default in 90 days).")
def create(person, name, scope, expires):
    """Make a token for PERSON and print its secret: it is shown this once only."""
    token, secret = commit(lambda: create_token(None, find_person(person), name=name, scope=scope,
                                                      expires_on=expires, today=today()))
    click.echo(f"Made token {token.id} ({token.scope}) for {token.user.name}, working until"
               f" {token.expires_on:%d/%m/%Y}. Its secret, shown only now:", err=True)
    click.echo(secret)


@command("revoke")
@click.argument("token_id", type=RECORD_ID)
def revoke(token_id):
    """Revoke token TOKEN_ID at once."""
    token = get_token(token_id)
    if revoke_token(None, token, utcnow()):
        db.session.commit()
        click.echo(f"Revoked token {token.id} ({token.name}) of {token.user.name}")
    else:
        click.echo(f"Token {token.id} was already revoked")


for sub in (list_all, create, revoke):
    tokens.add_command(sub)
COMMANDS = [tokens]

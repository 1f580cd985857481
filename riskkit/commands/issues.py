"""issues: the issues beside the register (risks that have happened, and problems that
came without one): list them, raise one (or turn a risk into one), resolve one."""

import click

from riskkit import vocab
from riskkit.commands.common import ISO_DATE, RECORD_ID, command, print_rows, today
from riskkit.services import issues as service
from riskkit.services.events import get_event
from riskkit.services.people import find_person
from riskkit.services.registers import get_register
from riskkit.services.risks import commit, get_risk

HEADERS = ["reference", "title", "register", "owner", "severity", "raised", "next_review",
           "status", "from_risk"]


@click.group("issues")
def issues():
    """Issues beside the register: `list`, `raise` (from a risk with --from-risk), `close`."""


@command("list")
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register (repeat for several).")
@click.option("--status", type=click.Choice(vocab.values(vocab.ISSUE_STATUSES) + ["all"]),
              default="open", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def list_all(codes, status, fmt):
    """List issues, most severe first: reference, title, owner, severity, next review."""
    found = service.list_issues([get_register(c).id for c in codes],
                                None if status == "all" else status)
    rows = [[i.reference, i.title, i.register.code, i.owner.name, i.severity_words,
             i.raised_on.isoformat(), i.next_review_date.isoformat() if i.next_review_date else "",
             i.status, i.risk.reference if i.risk else ""] for i in found]
    print_rows(HEADERS, rows, fmt)


@command("raise")
@click.option("--register", "code", metavar="CODE",
              help="The register the issue sits beside (a risk's own with --from-risk).")
@click.option("--title", help="What has happened (the risk's title with --from-risk).")
@click.option("--owner", help="Who owns the issue (name or email; the risk's owner with"
                              " --from-risk).")
@click.option("--severity", type=int, required=True,
              help="Its impact now: 1 Minor, 2 Moderate, 3 Significant, 4 Serious, 5 Major.")
@click.option("--description", default="", help="More about it.")
@click.option("--incident", type=RECORD_ID, metavar="ID", help="The incident it was raised from.")
@click.option("--from-risk", "reference", metavar="REF",
              help="Turn this risk into the issue: the risk is marked materialised.")
@click.option("--on", "as_of", type=ISO_DATE, help="Raised on this day (default today).")
def raise_one(code, title, owner, severity, description, incident, reference, as_of):
    """Raise an issue on a register (an owner is required), or turn a risk into one."""
    as_of = as_of or today()
    owner = find_person(owner) if owner else None
    if reference:
        risk = get_risk(reference)
        issue = commit(lambda: service.materialise(risk, None, as_of, severity=severity,
                                                   owner=owner, title=title,
                                                   description=description))
    else:
        if not code or not title:
            raise click.ClickException("Give --register and --title (or --from-risk REF)")
        if owner is None:
            raise click.ClickException(f"Invalid value for --owner: {service.NO_OWNER}")
        register = get_register(code)
        event = get_event(incident) if incident is not None else None
        issue = commit(lambda: service.raise_issue(register, None, as_of, title=title,
                                                   owner=owner, severity=severity,
                                                   description=description, event=event))
    click.echo(f"Raised {issue.reference} on the {issue.register.name} register"
               + (f" from {issue.risk.reference}, now materialised" if issue.risk else ""))


@command("close")
@click.argument("reference")
@click.option("--resolution", required=True, help="How the issue was resolved.")
@click.option("--reopen-risk", is_flag=True,
              help="Return the risk it came from to the live register, due for review.")
@click.option("--on", "as_of", type=ISO_DATE, help="Resolved on this day (default today).")
def close(reference, resolution, reopen_risk, as_of):
    """Resolve an issue, saying how; optionally reopen the risk it came from."""
    issue = service.get_issue(reference)
    commit(lambda: service.resolve(issue, None, as_of or today(), resolution, reopen_risk))
    click.echo(f"Resolved {issue.reference}" + (f"; {issue.risk.reference} reopened, due for"
                                                f" review" if reopen_risk else ""))


for sub in (list_all, raise_one, close):
    issues.add_command(sub)

COMMANDS = [issues]

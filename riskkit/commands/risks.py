"""risks and risk: the register as a list, and one risk whole."""

import click

from riskkit import scoring, vocab
from riskkit.commands.common import (
    ISO_DATE,
    command,
    print_csv,
    print_json,
    print_rows,
    print_table,
    today,
)
from riskkit.services import acceptance
from riskkit.services.appetite import appetites
from riskkit.services.assurance import assurances_of
from riskkit.services.people import find_person
from riskkit.services.registers import get_register
from riskkit.services.risks import (
    RiskFilter,
    commit,
    describe_whole,
    get_risk,
    list_risks,
    summarise,
)

ACCEPTED_HEADERS = ["reference", "title", "owner", "score", "expires", "state", "approved_by",
                    "approved_on", "dmt_meeting", "rationale"]
LIST_HEADERS = ["reference", "title", "owner", "current", "target", "trend", "next_review"]


@click.group("risks", invoke_without_command=True)
@click.pass_context
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register (repeat for several).")
@click.option("--owner", help="Only risks this person owns (name or email).")
@click.option("--status", type=click.Choice(vocab.values(vocab.RISK_STATUSES) + ["all"]),
              help="Only this status; default open and escalated.")
@click.option("--sort", type=click.Choice(["score", "reference", "next_review"]),
              default="score", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def risks(ctx, codes, owner, status, sort, fmt):
    """List risks: reference, title, owner, current and target rating, trend, next review.
    `riskkit risks accepted` lists the risks accepted above appetite; `accept` asks for
    one to be, and `approve` decides (or declines)."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(_list_risks, codes=codes, owner=owner, status=status, sort=sort, fmt=fmt)


# The list itself, run by the group when no subcommand is named (its options are the group's).
@command("list")
@click.option("--register", "codes", multiple=True)
@click.option("--owner")
@click.option("--status")
@click.option("--sort", default="score")
@click.option("--format", "fmt", default="table")
def _list_risks(codes, owner, status, sort, fmt):
    """The register as a list (what `riskkit risks` prints)."""
    filters = RiskFilter(registers=[get_register(code) for code in codes])
    if owner:
        filters.owner = find_person(owner)
    if status:
        filters.statuses = () if status == "all" else (status,)
    appetite = appetites()
    rows = [summarise(risk, appetite) for risk in list_risks(filters, sort=sort)]
    if fmt == "json":
        print_json(rows)
        return
    table = [[
        r["reference"], r["title"], r["owner"],
        f"{r['current']['rating']} {r['current']['score']}" + (" !" if r["above_appetite"] else ""),
        f"{r['target']['rating']} {r['target']['score']}",
        scoring.TREND_WORDS[r["trend"]], r["next_review_date"] or "",
    ] for r in rows]
    if fmt == "csv":
        print_csv(LIST_HEADERS, table)
    else:
        print_table(LIST_HEADERS, table)
        if any(r["above_appetite"] for r in rows):
            click.echo("! above the risk appetite for its category")


@command("risk")
@click.argument("reference")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def risk(reference, fmt):
    """Show one risk whole: fields, controls, actions and review history."""
    whole = get_risk(reference)
    data = describe_whole(whole, appetites())
    found = assurances_of(whole.controls)
    for control in data["controls"]:
        control["assurance"] = [a.as_dict() for a in found[control["id"]]]
    if fmt == "json":
        print_json(data)
        return
    echo = click.echo
    echo(f"{data['reference']}  {data['title']}")
    echo(f"Register {data['register']}   Owner {data['owner']}   Status {data['status']}"
         f"   Category {data['category'] or '-'}   Response {data['response']}")
    echo(f"Last review {data['last_review_date'] or '-'}   Next review {data['next_review_date']}")
    echo("")
    for heading in ("description", "cause", "consequence"):
        if data[heading]:
            echo(f"{heading.capitalize()}:")
            echo(click.wrap_text(data[heading], width=88, initial_indent="  ",
                                 subsequent_indent="  "))
    echo("")
    echo(f"Current risk:          {data['current']['label']}"
         + ("   ABOVE APPETITE" if data["above_appetite"] else ""))
    echo(f"Previous current risk: {data['previous']['label'] if data['previous'] else '-'}"
         f"   (trend: {scoring.TREND_WORDS[data['trend']]})")
    echo(f"Target risk:           {data['target']['label']}   by {data['target_date'] or '-'}")
    echo("")
    echo(f"Controls ({len(data['controls'])}):")
    for c in data["controls"]:
        echo(f"  - {c['description']}")
        echo(f"    owner {c['owner']}; {c['effectiveness_words']}"
             + (f", last tested {c['last_tested']}" if c["last_tested"] else ""))
        for a in reversed(c["assurance"]):
            opinion = vocab.label(vocab.ASSURANCE_OPINIONS, a["opinion"]) if a["opinion"] \
                else "No opinion recorded"
            echo(f"    assurance {a['assured_on']}: {opinion}, line {a['line']},"
                 f" {vocab.label(vocab.ASSURANCE_SOURCES, a['source']).lower()} {a['reference']}".rstrip()
                 + (f"; next due {a['next_due']}" if a["next_due"] else ""))
    echo(f"Actions ({len(data['actions'])}):")
    for a in data["actions"]:
        echo(f"  - {a['description']}")
        echo(f"    owner {a['owner']}; target {a['target_date'] or '-'};"
             f" {vocab.label(vocab.ACTION_STATUSES, a['status'])}")
    echo(f"Reviews ({len(data['reviews'])}):")
    for r in data["reviews"]:
        change = ("no change" if r["before"]["score"] == r["after"]["score"]
                  else f"{r['before']['rating']} {r['before']['score']} ->"
                       f" {r['after']['rating']} {r['after']['score']}")
        echo(f"  {r['reviewed_on']}  {r['reviewer']}  ({change})")
        if r["comment"]:
            echo(click.wrap_text(r["comment"], width=88, initial_indent="    ",
                                 subsequent_indent="    "))


@command("accepted")
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register (repeat for several).")
@click.option("--as-of", type=ISO_DATE, help="Expired as of this day (default today).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def accepted(codes, as_of, fmt):
    """List the risks accepted above appetite, soonest expiry first (expired: due for review)."""
    rows = [[a.risk.reference, a.risk.title, a.risk.owner.name, str(a.risk.score),
             a.acceptance.expires_on.isoformat(), "expired" if a.expired else "in force",
             a.acceptance.decided_by.name, a.acceptance.decided_on.isoformat(),
             a.acceptance.dmt_meeting_on.isoformat() if a.acceptance.dmt_meeting_on else "",
             a.acceptance.rationale]
            for a in acceptance.accepted(as_of or today(),
                                         [get_register(c).id for c in codes])]
    print_rows(ACCEPTED_HEADERS, rows, fmt)


@command("accept")
@click.argument("reference")
@click.option("--by", "person", required=True, help="Who asks (the risk's owner or a manager).")
@click.option("--rationale", required=True, help="Why the risk is tolerated above appetite.")
@click.option("--expires", type=ISO_DATE, required=True, help="When the acceptance ends.")
def accept(reference, person, rationale, expires):
    """Ask for risk REFERENCE, above its appetite, to be accepted until a date."""
    risk_ = get_risk(reference)
    commit(lambda: acceptance.request(risk_, None, today(), rationale=rationale,
                                      expires_on=expires, requested_by=find_person(person)))
    click.echo(f"Acceptance of {risk_.reference} asked for, until {expires:%d/%m/%Y}")


@command("approve")
@click.argument("reference")
@click.option("--by", "person", required=True, help="Who decides (a manager, not who asked).")
@click.option("--dmt-meeting", type=ISO_DATE,
              help="The DMT meeting that decided (needed unless --by manages the register).")
@click.option("--note", default="", help="What was said.")
@click.option("--decline", is_flag=True, help="Decline it instead (--note says why).")
def approve(reference, person, dmt_meeting, note, decline):
    """Approve (or with --decline, decline) the acceptance asked for on risk REFERENCE."""
    risk_ = get_risk(reference)
    asked = acceptance.standing(risk_)
    if asked is None or asked.status != "requested":
        raise click.ClickException(f"No acceptance of {risk_.reference} is waiting for a decision")
    decider = find_person(person)
    commit(lambda: acceptance.decide(asked, decider, today(), approve=not decline, note=note,
                                     dmt_meeting_on=dmt_meeting))
    click.echo(f"Acceptance of {risk_.reference} {'declined' if decline else 'approved'}")


for sub in (accepted, accept, approve):
    risks.add_command(sub)

COMMANDS = [risks, risk]

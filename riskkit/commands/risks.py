"""risks and risk: the register as a list, and one risk whole."""

import click

from riskkit import scoring, vocab
from riskkit.commands.common import command, print_csv, print_json, print_table
from riskkit.services.appetite import appetites
from riskkit.services.assurance import assurances_of
from riskkit.services.people import find_person
from riskkit.services.registers import get_register
from riskkit.services.risks import (
    RiskFilter,
    describe_whole,
    get_risk,
    list_risks,
    summarise,
)

LIST_HEADERS = ["reference", "title", "owner", "current", "target", "trend", "next_review"]


@command("risks")
@click.option("--register", "codes", multiple=True, metavar="CODE",
              help="Only this register (repeat for several).")
@click.option("--owner", help="Only risks this person owns (name or email).")
@click.option("--status", type=click.Choice(vocab.values(vocab.RISK_STATUSES) + ["all"]),
              help="Only this status; default open and escalated.")
@click.option("--sort", type=click.Choice(["score", "reference", "next_review"]),
              default="score", show_default=True)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
def risks(codes, owner, status, sort, fmt):
    """List risks: reference, title, owner, current and target rating, trend, next review."""
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


COMMANDS = [risks, risk]

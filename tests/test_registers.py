"""The register tree: a parent that would make a cycle is refused (web form and CLI), and a
database with a cycle made by hand still answers (every walk of the tree is cycle-safe)."""

import pytest
from sqlalchemy import update

from riskkit.extensions import db
from riskkit.models import Register
from tests.conftest import FreshContextClient
from tests.factories import gen_person, gen_register, gen_risk
from tests.web_helpers import error_messages

EMAIL, PASSWORD = "ada@example.gov.uk", "a-long-password"


@pytest.fixture
def tree(app):
    """CORP at the top, OPS below it, and TEAM below OPS, each with a risk."""
    admin = gen_person("Ada Admin", role="admin", email=EMAIL, password=PASSWORD)
    corp = gen_register("CORP", level="corporate")
    ops = gen_register("OPS", parent=corp)
    team = gen_register("TEAM", level="operational", parent=ops)
    for register in (corp, ops, team):
        gen_risk(register, owner=admin, title=f"A risk on {register.code}")
    return corp, ops, team


@pytest.fixture
def admin_client(app, tree):
    app.config["WTF_CSRF_ENABLED"] = False
    app.test_client_class = FreshContextClient
    client = app.test_client()
    assert client.post("/login", data={"email": EMAIL, "password": PASSWORD}).status_code == 302
    return client


def _form(register: Register, **changes) -> dict:
    data = {"code": register.code, "name": register.name, "level": register.level,
            "parent": str(register.parent_id or ""), "matrix": str(register.matrix_id),
            "owner": ""}
    return data | changes


def _parent_code(register: Register) -> str | None:
    db.session.expire_all()
    parent = db.session.get(Register, register.id).parent
    return parent.code if parent else None


@pytest.mark.parametrize("new_parent", ["CORP", "OPS", "TEAM"])
def test_the_form_refuses_the_register_itself_or_one_below_it_as_parent(admin_client, tree,
                                                                        new_parent):
    corp = tree[0]
    parent = next(r for r in tree if r.code == new_parent)
    answer = admin_client.post(f"/admin/registers/{corp.id}", data=_form(corp, parent=str(parent.id)))
    # The form does not offer them, so one posted anyway is refused as not on the list;
    # the rule itself (services.registers.save_register) is proved through the CLI below.
    assert answer.status_code == 400
    assert "Choose a parent register from the list" in error_messages(answer)
    assert _parent_code(corp) is None


def test_the_form_still_moves_a_register_elsewhere_in_the_tree(admin_client, tree):
    corp, ops, team = tree
    answer = admin_client.post(f"/admin/registers/{team.id}", data=_form(team, parent=str(corp.id)))
    assert answer.status_code == 302
    assert _parent_code(team) == "CORP"


def test_the_form_refuses_a_code_already_used(admin_client, tree):
    spare = gen_register("SPARE")
    db.session.commit()
    answer = admin_client.post(f"/admin/registers/{spare.id}", data=_form(spare, code="OPS"))
    assert answer.status_code == 400
    assert "There is already a register with the code OPS" in error_messages(answer)


@pytest.mark.parametrize("new_parent", ["CORP", "TEAM"])
def test_the_cli_refuses_a_parent_that_would_make_a_cycle(runner, tree, new_parent):
    result = runner.invoke(args=["registers", "edit", "CORP", "--parent", new_parent])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {new_parent} cannot be the parent of CORP")
    assert _parent_code(tree[0]) is None


def test_the_cli_adds_lists_and_edits_registers(runner, tree):
    added = runner.invoke(args=["registers", "add", "HR", "--name", "Human resources",
                                "--level", "directorate", "--parent", "CORP"])
    assert added.exit_code == 0, added.stderr
    moved = runner.invoke(args=["registers", "edit", "TEAM", "--parent", "HR", "--name", "Team"])
    assert moved.exit_code == 0, moved.stderr
    listed = runner.invoke(args=["registers", "list"])
    assert listed.exit_code == 0, listed.stderr
    rows = {line.split()[0]: line.split() for line in listed.stdout.splitlines()[2:]}
    assert rows["HR"][-2:] == ["CORP", "council-5x5"]
    assert rows["TEAM"][:2] == ["TEAM", "Team"]
    assert rows["TEAM"][-2:] == ["HR", "council-5x5"]
    top = runner.invoke(args=["registers", "edit", "TEAM", "--no-parent"])
    assert top.exit_code == 0, top.stderr
    assert _parent_code(tree[2]) is None


def test_the_cli_names_what_is_wrong(runner, tree):
    unknown = runner.invoke(args=["registers", "edit", "CORP", "--parent", "NOPE"])
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("Error: No register with code 'NOPE'")
    matrix = runner.invoke(args=["registers", "add", "HR", "--name", "HR", "--matrix", "nope"])
    assert matrix.exit_code == 1 and matrix.stderr.startswith("Error: ")
    clash = runner.invoke(args=["registers", "add", "OPS", "--name", "Again"])
    assert clash.exit_code == 1
    assert clash.stderr == "Error: There is already a register with the code OPS\n"


def test_pages_and_commands_still_answer_with_a_cycle_made_in_the_database(tree, live_server):
    """CORP below TEAM, which is below OPS, which is below CORP: written straight to the
    database, as a hand edit or a restore might. Nothing walking the tree may hang."""
    corp, ops, team = tree
    db.session.execute(update(Register).where(Register.id == corp.id).values(parent_id=team.id))
    db.session.commit()
    client = live_server.session(EMAIL, PASSWORD)
    for page in ("/", "/risks?register=CORP", "/risks?register=OPS", "/admin/registers",
                 "/export.xlsx?register=CORP"):
        answer = client.get(live_server.url + page, timeout=30)
        assert answer.status_code == 200, (page, live_server.log[-3000:])
    register_page = client.get(live_server.url + "/risks?register=CORP", timeout=60).text
    for code in ("CORP", "OPS", "TEAM"):
        assert f"A risk on {code}" in register_page
    for command in (["risks", "--register", "CORP"], ["registers", "list"],
                    ["export", str(live_server.folder / "corp.xlsx"), "--register", "CORP"]):
        result = live_server.cli(*command, timeout=60)
        assert result.returncode == 0, (command, result.stderr)

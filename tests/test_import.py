"""riskkit import: registers as councils and NHS bodies keep them, read whole or not at all."""

from pathlib import Path

import openpyxl
import pytest
import yaml

from riskkit.audit import command_line_actor
from riskkit.extensions import db
from riskkit.models import HistoryEntry, Register, Risk, User
from riskkit.services import history
from riskkit.services.risks import create_risk, get_risk
from tests.factories import gen_person, gen_register
from tests.import_helpers import COUNCIL, COUNCIL_MERGES, NHS, save_formula_values, workbook


def run(runner, *args):
    return runner.invoke(args=["import", *map(str, args)])


def risk_count() -> int:
    return db.session.query(Risk).count()


def test_council_register_with_title_rows_groups_labels_and_bullets(runner, tmp_path):
    file = workbook(tmp_path / "corporate.xlsx", {"Register": COUNCIL}, {"Register": COUNCIL_MERGES})
    result = run(runner, file, "--register", "CRR", "--matrix", "council-5x5", "--create-owners")
    assert result.exit_code == 0, result.output + result.stderr
    assert "Imported into CRR: 2 created, 0 updated, 0 unchanged, 0 rejected" in result.output
    payroll = get_risk("CRR-001")
    assert payroll.register.code == "CRR" and payroll.title == "Failure of the payroll system"
    assert (payroll.inherent_likelihood, payroll.inherent_impact) == (5, 5)
    assert (payroll.likelihood, payroll.impact) == (4, 5)  # the residual risk is the current one
    assert (payroll.target_likelihood, payroll.target_impact) == (2, 5)
    assert payroll.cause == "Ageing software" and payroll.consequence == "Staff not paid"
    assert payroll.owner.name == "Director of Finance" and payroll.owner.password_hash is None
    assert [c.description for c in payroll.controls] == [
        "Daily backups", "Disaster recovery contract, tested annually"]
    assert [(a.description, a.owner.name, a.target_date.isoformat()) for a in payroll.actions] == [
        ("Procure replacement system", "Head of ICT", "2025-03-31"),
        ("Test failover", "Head of ICT", "2025-03-31")]
    assert payroll.last_review_date.isoformat() == "2024-07-07"
    cyber = get_risk("CRR-004")
    assert (cyber.likelihood, cyber.impact, cyber.target_likelihood, cyber.target_impact) == (3, 5, 2, 4)
    assert [c.description for c in cyber.controls] == ["Firewall", "Staff training, refreshed yearly"]
    assert cyber.actions == [] and cyber.last_review_date.isoformat() == "2024-09-01"
    assert risk_count() == 2  # the key below the table is not read as risks
    # Risks added later continue after the file's references.
    register = db.session.query(Register).filter_by(code="CRR").one()
    later = create_risk(register, None, cyber.last_review_date, title="New", owner=cyber.owner,
                        likelihood=1, impact=1)
    assert later.reference == "CRR0005"
    who = {h.actor for h in db.session.query(HistoryEntry).filter_by(risk_id=payroll.id)}
    assert len(who) == 1 and who.pop().startswith("import of corporate.xlsx")


def test_nhs_register_labels_rag_words_and_impact_first(runner, tmp_path):
    gen_person("Chief Nurse")
    gen_person("Director of Estates")
    gen_register("NHS", matrix="nhs-5x5")
    db.session.commit()
    file = workbook(tmp_path / "trust.xlsx", {"Risks": NHS})
    result = run(runner, file, "--register", "NHS")
    assert result.exit_code == 0, result.output + result.stderr
    discharge = get_risk("NHS-12")
    # "Consequence" holding matrix labels is the impact; "Red 16" agrees with Major x Likely.
    assert (discharge.likelihood, discharge.impact) == (4, 4)
    assert (discharge.target_likelihood, discharge.target_impact) == (2, 3)  # I x L
    assert discharge.title == "Delayed discharge from wards" and discharge.owner.name == "Chief Nurse"
    assert [a.description for a in discharge.actions] == ["Discharge lounge", "Weekly escalation call"]
    assert discharge.next_review_date.isoformat() == "2024-06-30"
    estates = get_risk("NHS-13")
    assert (estates.likelihood, estates.impact, estates.next_review_date.isoformat()) == (3, 3, "2024-09-30")


def test_numbers_csv_and_one_cell_score_forms(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    csv = tmp_path / "ops.csv"
    csv.write_text(
        "Ref,Title,Owner,Risk Score,Target Score,Status\n"
        "OPS1,Flooding of the depot,Pat Owner,4x5=20,2×5=10,Open\n"
        "OPS2,Loss of fuel supply,pat owner,L3 I4,L2 I2,open\n"
        "OPS3,Fleet breakdowns,Pat Owner,3 4 12,1 1 1,Active\n"
        ",No reference given,Pat Owner,5x5=25,,\n", encoding="utf-8")
    result = run(runner, csv, "--register", "OPS", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.output + result.stderr
    assert [(r.reference, r.likelihood, r.impact, r.target_likelihood, r.target_impact)
            for r in db.session.query(Risk).order_by(Risk.id)] == [
        ("OPS1", 4, 5, 2, 5), ("OPS2", 3, 4, 2, 2), ("OPS3", 3, 4, 1, 1), ("OPS0004", 5, 5, 5, 5)]


def test_separate_action_and_control_sheets_add_to_the_row(runner, tmp_path):
    gen_person("Pat Owner")
    gen_person("Sam Lead")
    db.session.commit()
    file = workbook(tmp_path / "book.xlsx", {
        "Risks": [["Ref", "Title", "Owner", "L", "I", "Controls", "Actions"],
                  ["HR-1", "Loss of key staff", "Pat Owner", 3, 3, "Succession plan", "Review pay"]],
        "Actions": [["Risk Ref", "Action", "Action Owner", "Due Date", "Status"],
                    ["HR-1", "Recruit deputy, then train", "Sam Lead", "01/02/2025", "In progress"],
                    ["hr-1", "a) Exit interviews\nb) Staff survey", "", "Jan 25", "Complete"]],
        "Controls": [["Ref", "Control", "Effectiveness"],
                     ["HR-1", "Annual appraisals, with objectives", "Amber"]],
    })
    result = run(runner, file, "--register", "HR", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.output + result.stderr
    risk = get_risk("HR-1")
    assert [(c.description, c.effectiveness) for c in risk.controls] == [
        ("Succession plan", "not_tested"), ("Annual appraisals, with objectives", "partly_effective")]
    assert [(a.description, a.owner.name, a.status, str(a.target_date)) for a in risk.actions] == [
        ("Review pay", "Pat Owner", "planned", "None"),
        ("Recruit deputy, then train", "Sam Lead", "in_progress", "2025-02-01"),
        ("Exit interviews", "Pat Owner", "done", "2025-01-01"),
        ("Staff survey", "Pat Owner", "done", "2025-01-01")]


def test_formula_with_saved_value_is_read_as_its_value(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    file = workbook(tmp_path / "f.xlsx", {"Risks": [
        ["Ref", "Title", "Owner", "Likelihood", "Impact", "Score"],
        ["F1", "Formula score", "Pat Owner", 4, 5, "=D2*E2"]]})
    save_formula_values(file, {"F2": 20})
    result = run(runner, file, "--register", "F", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.output + result.stderr
    assert get_risk("F1").likelihood == 4


def test_every_error_is_listed_by_sheet_row_and_heading_and_nothing_written(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    file = workbook(tmp_path / "bad.xlsx", {"Risks": [
        ["Ref", "Title", "Owner", "Likelihood", "Impact", "Score", "Last Review"],
        ["B1", "Fine row", "Pat Owner", 2, 2, 4, "01/01/2024"],
        ["B2", "", "Pat Owner", 2, 2, 4, None],
        ["B1", "Duplicate", "Pat Owner", 2, 2, 4, None],
        ["B3", "Unknown label", "Pat Owner", "Quite likely", 2, None, None],
        ["B4", "Outside", "Pat Owner", 6, 2, None, None],
        ["B5", "Disagree", "Pat Owner", 3, 3, 12, None],
        ["B6", "Bad date", "Pat Owner", 1, 1, 1, "31/02/2024"],
        ["B7", "Nobody", "Nobody Known", 1, 1, 1, None],
        ["B8", "No score", "Pat Owner", None, None, None, None],
        ["B9", "Long owner", "P" * 121, 1, 1, 1, None],
    ]})
    result = run(runner, file, "--register", "B", "--matrix", "council-5x5")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Risks row 3, Title: a risk needs a title",
        "Risks row 4, Ref: B1 is also used on Risks row 2",
        "Risks row 5, Likelihood: 'Quite likely' is not a likelihood on the Council 5 x 5 matrix:"
        " give 1 to 5 or one of Very Unlikely, Unlikely, Possible, Likely, Very Likely",
        "Risks row 6, Likelihood: Likelihood '6' is outside the Council 5 x 5 matrix (1 to 5)",
        "Risks row 7, Score: score 12 disagrees with likelihood 3 x impact 3 = 9",
        "Risks row 8, Last Review: '31/02/2024' is not a date: write it like 31/12/2024",
        "Risks row 9, Owner: 'Nobody Known' is not a person in riskkit: add them first (riskkit"
        " users add), or let the import create people without a sign-in (--create-owners, or"
        " create_owners: true in the mapping)",
        "Risks row 10, Score: the current score is missing",
        f"Risks row 11, Owner: {'P' * 30!r}... is longer than 120 characters",
        f"Risks row 11, Owner: {'P' * 121!r} is not a person in riskkit: add them first (riskkit"
        " users add), or let the import create people without a sign-in (--create-owners, or"
        " create_owners: true in the mapping)",
        "Error: 10 problem(s) in bad.xlsx; nothing was imported",
    ]
    assert risk_count() == 0 and db.session.query(Register).filter_by(code="B").count() == 0


def test_dry_run_prints_the_mapping_and_the_mapping_file_overrides_it(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    file = workbook(tmp_path / "odd.xlsx", {"Sheet1": [
        ["No.", "Hazard", "Owner", "Likelihood", "Impact", "Notes"],
        ["H1", "Black ice on the car park", "Pat Owner", 2, 3, "Gritting in winter"]]})
    dry = run(runner, file, "--register", "H", "--matrix", "council-5x5", "--dry-run")
    assert dry.exit_code == 1  # no title column guessed
    assert "Hazard: ignore" in dry.output
    assert dry.stderr.splitlines()[0] == ("Sheet1 row 1: no column is the title (a heading such as"
                                          " Title or Risk Title): choose one in the mapping")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(yaml.safe_dump({"sheets": {"Sheet1": {"columns": {"Hazard": "title",
                                                                         "Notes": "controls"}}}}))
    dry = run(runner, file, "--register", "H", "--matrix", "council-5x5", "--dry-run",
              "--mapping", mapping)
    assert dry.exit_code == 0, dry.stderr
    printed = yaml.safe_load(dry.output.split("\nSheet1 row")[0])
    assert printed["sheets"]["Sheet1"]["columns"] == {
        "No.": "reference", "Hazard": "title", "Owner": "owner", "Likelihood": "current_likelihood",
        "Impact": "current_impact", "Notes": "controls"}
    assert "Sheet1 row 2: created H1 Black ice on the car park" in dry.output
    assert "Would import into H: 1 created" in dry.output
    assert risk_count() == 0 and db.session.query(Register).filter_by(code="H").count() == 0
    toml = tmp_path / "mapping.toml"
    toml.write_text('[sheets.Sheet1.columns]\nHazard = "title"\n')
    done = run(runner, file, "--register", "H", "--matrix", "council-5x5", "--mapping", toml)
    assert done.exit_code == 0, done.stderr
    assert get_risk("H1").title == "Black ice on the car park"


def test_update_reimport_changes_nothing_the_second_time(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    rows = [["Ref", "Title", "Owner", "L", "I", "Controls"],
            ["U1", "Storm damage", "Pat Owner", 3, 3, "Insurance\nTree survey"]]
    file = workbook(tmp_path / "u.xlsx", {"Risks": rows})
    assert run(runner, file, "--register", "U", "--matrix", "council-5x5").exit_code == 0
    again = run(runner, file, "--register", "U")
    assert again.exit_code == 1
    assert "Risks row 2: U1 is already in riskkit: import with --update to update it" in again.stderr
    before = db.session.query(HistoryEntry).count()
    same = run(runner, file, "--register", "U", "--update")
    assert "0 created, 0 updated, 1 unchanged" in same.output
    assert db.session.query(HistoryEntry).count() == before
    rows[1][1], rows[1][3] = "Storm and flood damage", 4
    workbook(file, {"Risks": rows})
    changed = run(runner, file, "--register", "U", "--update")
    assert "0 created, 1 updated" in changed.output, changed.stderr
    risk = get_risk("U1")
    assert (risk.title, risk.likelihood, risk.previous_likelihood) == ("Storm and flood damage", 4, 3)
    assert len(risk.controls) == 2 and risk.reviews[-1].comment == "Imported from u.xlsx"
    assert {h.actor for h in db.session.query(HistoryEntry).filter(HistoryEntry.id > before)} == {
        f"import of u.xlsx ({command_line_actor()})"}


def test_the_history_records_every_risk_control_and_action_created(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    file = workbook(tmp_path / "flood.xlsx", {"Risks": [
        ["Ref", "Title", "Owner", "L", "I", "Controls", "Actions", "Action Due", "Direction of Travel"],
        ["FL-7", "River flooding of the depot", "Pat Owner", 3, 4, "Sandbags\nPumps",
         "Buy flood barriers", "31/01/2025", "New"]]})
    result = run(runner, file, "--register", "FL", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.stderr
    risk = get_risk("FL-7")
    entries = history.entries(risk_id=risk.id, newest_first=False, limit=None)
    created = {(e.entity, e.entity_id, e.field): e.new_value for e in entries if e.change == "create"}
    assert {field: value for (entity, _, field), value in created.items() if entity == "risk"} == {
        "register": "FL", "reference": "FL-7", "title": "River flooding of the depot",
        "owner": "Pat Owner", "status": "open", "response": "treat", "exempt": "no",
        "exempt_paragraph": "3", "likelihood": "3", "impact": "4", "target_likelihood": "3", "target_impact": "4",
        "next_review_date": risk.next_review_date.isoformat()}
    for control in risk.controls:
        assert {f: v for (e, i, f), v in created.items() if (e, i) == ("control", control.id)} == {
            "risk_id": str(risk.id), "description": control.description, "owner": "Pat Owner",
            "effectiveness": "not_tested"}
    (action,) = risk.actions
    assert {f: v for (e, i, f), v in created.items() if (e, i) == ("action", action.id)} == {
        "risk_id": str(risk.id), "description": "Buy flood barriers", "owner": "Pat Owner",
        "target_date": "2025-01-31", "status": "planned"}
    assert [(e.field, e.new_value) for e in entries if e.change == "note"] == [
        ("direction of travel", "New")]
    assert {e.actor for e in entries} == {f"import of flood.xlsx ({command_line_actor()})"}


def test_register_is_needed_or_created_with_a_matrix(runner, tmp_path):
    file = workbook(tmp_path / "x.xlsx", {"Risks": [["Ref", "Title", "Owner", "Score"]]})
    result = run(runner, file, "--register", "NEW")
    assert result.exit_code == 1
    assert "No register with code 'NEW': give a matrix (council-5x5, nhs-5x5) to create it" in result.stderr
    assert db.session.query(User).count() == 0


@pytest.mark.parametrize("layout", ["csv", "xlsx"])
def test_people_are_matched_by_name_any_case(runner, tmp_path, layout):
    gen_person("Director of Finance")
    db.session.commit()
    rows = [["Ref", "Title", "Risk Owner", "Rating"], ["P1", "Budget gap", "DIRECTOR OF FINANCE", "Red 16"]]
    if layout == "csv":
        file = tmp_path / "p.csv"
        file.write_text("\n".join(",".join(map(str, r)) for r in rows))
    else:
        file = workbook(tmp_path / "p.xlsx", {"Risks": rows})
    result = run(runner, file, "--register", "P", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.stderr
    assert get_risk("P1").owner.name == "Director of Finance" and db.session.query(User).count() == 1
    assert (get_risk("P1").likelihood, get_risk("P1").impact) == (4, 4)  # 16 can only be 4 x 4




def test_the_example_in_seed_data_imports_as_the_guide_says(runner):
    example = Path(__file__).resolve().parents[1] / "seed_data" / "import-example.xlsx"
    result = run(runner, example, "--register", "CRR", "--matrix", "council-5x5", "--create-owners")
    assert result.exit_code == 0, result.stderr
    assert "Imported into CRR: 2 created" in result.output
    assert [a.description for a in get_risk("CRR-004").actions] == [
        "Phishing simulation for all staff", "Offline backups of the finance system"]


def test_the_exempt_paragraph_of_schedule_12a_is_read_and_a_wrong_one_named(runner, tmp_path):
    gen_person("Pat Owner")
    db.session.commit()
    heading = ["Ref", "Title", "Owner", "Likelihood", "Impact", "Exempt", "Exempt paragraph"]
    bad = workbook(tmp_path / "bad.xlsx", {"Risks": [heading, ["E1", "Contract dispute", "Pat Owner", 2, 2, "yes", 9],
                                                     ["E2", "Tender", "Pat Owner", 2, 2, "yes", "three"]]})
    result = run(runner, bad, "--register", "E", "--matrix", "council-5x5")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Risks row 2, Exempt paragraph: '9' is not a paragraph of Schedule 12A (1 to 7)",
        "Risks row 3, Exempt paragraph: 'three' is not a paragraph of Schedule 12A (1 to 7)",
        "Error: 2 problem(s) in bad.xlsx; nothing was imported"]
    assert risk_count() == 0

    good = workbook(tmp_path / "good.xlsx", {"Risks": [heading, ["E1", "Contract dispute", "Pat Owner", 2, 2, "yes", 5],
                                                       ["E2", "Tender", "Pat Owner", 2, 2, "yes", "Paragraph 1"],
                                                       ["E3", "Open", "Pat Owner", 2, 2, "no", None]]})
    result = run(runner, good, "--register", "E", "--matrix", "council-5x5")
    assert result.exit_code == 0, result.stderr
    assert [get_risk(ref).exempt_paragraph for ref in ("E1", "E2", "E3")] == [5, 1, 3]  # 3 unless said

    # The export carries it, and importing the export again changes nothing.
    exported = tmp_path / "export.xlsx"
    assert runner.invoke(args=["export", str(exported), "--register", "E"]).exit_code == 0
    again = run(runner, exported, "--register", "E", "--update")
    assert again.exit_code == 0, again.stderr
    assert "0 created, 0 updated" in again.output


def test_the_objectives_column_links_each_risk_to_what_it_threatens(runner, tmp_path):
    """Objectives by name (any case, one a line), the register's own or those above it;
    an export of the register reads back with the same column."""
    from tests.factories import gen_objective

    corporate = gen_register("CORP", level="corporate")
    register = gen_register("ASC", parent=corporate)
    own = gen_objective(register, "Keep people independent at home")
    priority = gen_objective(corporate, "A well-run council")
    gen_person("Pat Owner")
    file = workbook(tmp_path / "asc.xlsx", {"Risks": [
        ["Ref", "Title", "Owner", "Likelihood", "Impact", "Objectives"],
        ["ASC-1", "Care market failure", "Pat Owner", 3, 4,
         "keep people independent at home\nA well-run council"],
        ["ASC-2", "Payroll failure", "Pat Owner", 2, 3, ""]]})
    result = run(runner, file, "--register", "ASC")
    assert result.exit_code == 0, result.output + result.stderr
    care = get_risk("ASC-1")
    assert sorted(o.name for o in care.objectives) == [priority.name, own.name]
    assert get_risk("ASC-2").objectives == []
    linked = db.session.query(HistoryEntry).filter_by(risk_id=care.id, field="objectives").one()
    assert linked.new_value == "Keep people independent at home, A well-run council"

    exported = tmp_path / "asc-export.xlsx"
    assert runner.invoke(args=["export", str(exported), "--register", "ASC"]).exit_code == 0
    sheet = openpyxl.load_workbook(exported)["Risks"]
    headers = [c.value for c in sheet[1]]
    row = {h: c.value for h, c in zip(headers, sheet[2], strict=True)}
    assert row["reference"] == "ASC-1"
    assert row["objectives"] == "Keep people independent at home\nA well-run council"
    # Read back over the register, with one objective dropped: the link goes too.
    sheet.cell(2, headers.index("objectives") + 1).value = "A well-run council"
    book = sheet.parent
    book.save(exported)
    result = run(runner, exported, "--register", "ASC", "--update")
    assert result.exit_code == 0, result.output + result.stderr
    db.session.expire_all()
    assert [o.name for o in get_risk("ASC-1").objectives] == ["A well-run council"]


def test_an_unknown_objective_is_named_by_row_and_column_and_nothing_is_written(runner, tmp_path):
    from tests.factories import gen_objective

    register = gen_register("ASC")
    gen_objective(register, "Keep people independent at home")
    gen_objective(gen_register("OPS"), "Fleet on the road")  # another register's, not above
    gen_person("Pat Owner")
    file = workbook(tmp_path / "asc.xlsx", {"Risks": [
        ["Ref", "Title", "Owner", "Likelihood", "Impact", "Objectives"],
        ["ASC-1", "Care market failure", "Pat Owner", 3, 4, "Keep people independent at home"],
        ["ASC-2", "Vehicle breakdowns", "Pat Owner", 2, 3, "Fleet on the road"]]})
    result = run(runner, file, "--register", "ASC")
    assert result.exit_code == 1
    assert ("Risks row 3, Objectives: No objective 'Fleet on the road' on the ASC register"
            " register or above it") in result.output + result.stderr
    assert risk_count() == 0

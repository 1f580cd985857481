"""`riskkit indicators roles, cards, decide, log, sitrep`, and the cards emailed when the
organisation's level is declared: through Click's runner, on the demo's Role / Response
table, mail caught by a real SMTP server on loopback."""

import subprocess
from datetime import UTC, datetime

import pytest

from riskkit import clock
from tests.factories import gen_indicator, gen_reading, gen_user
from tests.test_overdue import smtp  # noqa: F401  (the SMTP server fixture)


def invoke(runner, *args):
    return runner.invoke(args=["indicators", *args])


def test_the_demo_has_the_plans_roles_with_holders(demo, runner):
    result = invoke(runner, "roles")
    assert result.exit_code == 0, result.output
    assert "Assistant Director / Capacity Manager on Call" in result.output
    assert "Richard Smith" in result.output
    director = next(line for line in result.output.splitlines() if line.startswith("Director of Adult"))
    assert director.split()[-3:] == ["1:1", "2:1", "3:2"]


def test_roles_are_loaded_from_a_file_and_holders_set(app, runner, tmp_path):
    gen_user("Sam Service")
    gen_user("Dee Director")
    cards = tmp_path / "cards.yaml"
    cards.write_text("scheme: opel\nroles:\n  - name: Night manager\n    holders: [Sam Service]\n"
                     "    levels: {1: [Business as usual], 2: [Ring the on-call director.]}\n")
    result = invoke(runner, "roles", "--load", str(cards))
    assert result.exit_code == 0, result.output
    assert "Added 1 role, 2 card steps, 1 role holder" in result.output
    result = invoke(runner, "roles", "--role", "night manager", "--holder", "Dee Director")
    assert result.exit_code == 0, result.output
    assert "Night manager  Dee Director  1:1 2:1" in result.output


@pytest.mark.parametrize("args, message", [
    (["roles", "--holder", "Sam"], "Say which role --holder is for with --role"),
    (["roles", "--role", "Nobody", "--holder", "Sam"], "No response role called 'Nobody'"),
    (["decide", "Open beds", "--by", "Nobody"], "No person called 'Nobody'"),
    (["decide", " ", "--by", "Risk Admin"], "Enter a decision"),
    (["log", "--date", "2026-12-06", "--since", "2026-12-01"], "Give --date, or --since and --until"),
    (["sitrep", "--format", "pdf"], "Give a FILE ending in .pdf for --format pdf"),
    (["sitrep", "--format", "html", "out.pdf"], "Give a FILE ending in .html for --format html"),
])
def test_bad_input_is_one_line_and_changes_nothing(demo, runner, args, message):
    result = invoke(runner, *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_no_cards_before_a_declaration_and_no_email_without_an_address(app, runner):
    result = invoke(runner, "cards")
    assert result.exit_code == 1
    assert "No level has been declared for the whole organisation yet" in result.stderr
    gen_user("Mo Manager", "manager")
    assert invoke(runner, "declare", "2", "--reason", "Amber", "--by", "Mo Manager").exit_code == 0
    result = invoke(runner, "cards", "--email")
    assert result.exit_code == 1
    assert "RISKKIT_BASE_URL is not set, so the cards would carry links that go nowhere" in result.stderr


def test_declaring_the_organisations_level_emails_each_holder_their_card(demo, runner, smtp):  # noqa: F811
    server = smtp()
    result = invoke(runner, "declare", "3", "--reason", "Staffing below 50%", "--by", "Richard Smith")
    assert result.exit_code == 0, result.output
    by_address = {to[0]: message for to, message in server.messages}
    assert "richard.smith@example.gov.uk" in by_address and "wayne.gough@example.gov.uk" in by_address
    richard = by_address["richard.smith@example.gov.uk"]
    assert richard["Subject"] == "OPEL 3 (Red) declared: your action card"
    body = richard.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "OPEL 3 (Red) was declared for the whole organisation by Richard Smith" in body
    assert ("Assistant Director / Capacity Manager on Call\n" in body
            and "1. Consider the temporary redeployment of staff from across Area boundaries" in body)
    assert "https://risk.example/#cards" in body
    sent = len(server.messages)
    result = invoke(runner, "cards", "--email")  # again the same day: nothing twice
    assert result.exit_code == 0, result.output
    assert len(server.messages) == sent


def test_declaring_without_mail_set_up_still_declares(demo, runner):
    result = invoke(runner, "declare", "2", "--reason", "Amber triggers", "--by", "Richard Smith")
    assert result.exit_code == 0, result.output
    assert "Action cards were not emailed: RISKKIT_BASE_URL is not set." in result.stderr
    assert "Declared OPEL 2 (Amber)" in result.stdout


def test_cards_decisions_log_and_sitrep_from_the_command_line(demo, runner, tmp_path):
    with clock.frozen(datetime(2026, 12, 6, 8, 0, tzinfo=UTC)):
        staffing = gen_indicator(owner=gen_user("Olu Owner"))
        gen_reading(staffing, 48, on=clock.today(), today=clock.today())
        assert invoke(runner, "declare", "Red", "--reason", "Staffing at 48%", "--by", "Richard Smith").exit_code == 0
    with clock.frozen(datetime(2026, 12, 6, 9, 15, tzinfo=UTC)):
        result = invoke(runner, "decide", "Ten spot-purchase beds opened.", "--by", "Wayne Gough")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Logged at 09:15 06/12/2026: Ten spot-purchase beds opened."

    result = invoke(runner, "cards")
    assert result.exit_code == 0, result.output
    assert "Director of Adult Social Care (East / West) (Wayne Gough)" in result.output
    assert "  [open] Discuss with health partners joint funding opportunities" in result.output

    result = invoke(runner, "log", "--date", "2026-12-06")
    assert result.exit_code == 0, result.output
    assert ("06/12/2026 09:15  Wayne Gough (decision, Whole organisation): Ten spot-purchase beds opened."
            in result.output)
    assert "Richard Smith declared OPEL 3 (Red) for the organisation" in result.output

    result = invoke(runner, "sitrep", "--date", "2026-12-06")
    assert result.exit_code == 0, result.output
    assert "- Whole organisation: OPEL 3 (Red)" in result.output
    assert "- Short-term Pathway Team staffing: 48 % on 06/12/2026; OPEL 3 (Red); First reading" in result.output

    pdf = tmp_path / "sitrep.pdf"
    result = invoke(runner, "sitrep", "--date", "2026-12-06", "--format", "pdf", str(pdf))
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote {pdf}"
    text = " ".join(subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Situation report, 6 December 2026" in text
    assert "Ten spot-purchase beds opened." in text
    assert "Discuss with health partners joint funding opportunities" in text
    html = tmp_path / "sitrep.html"
    assert invoke(runner, "sitrep", "--date", "2026-12-06", "--format", "html", str(html)).exit_code == 0
    assert "<h1>Situation report, 6 December 2026</h1>" in html.read_text()

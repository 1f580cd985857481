"""Reminder emails and people's names: a display name can never add a recipient or
break the run, through a real SMTP server on loopback."""

from email.headerregistry import Address

from sqlalchemy import select, update

from riskkit.extensions import db
from riskkit.models import User
from tests.test_overdue import smtp  # noqa: F401  (the SMTP server fixture)

CHRIS = "chris.mckenzie@example.gov.uk"
# Carl Griffiths as a member of the ASCH Divisional Directors, who own AH0011.
EVERYONE = {CHRIS, "helen.gillivan@example.gov.uk", "kerena.hunter@example.gov.uk",
            "richard.smith@example.gov.uk", "carl.griffiths@example.gov.uk"}


def _rename(email: str, name: str, check: bool = True) -> None:
    if check:  # through the model, as the web, the CLI and the import do
        db.session.scalar(select(User).where(User.email == email)).name = name
    else:  # a name stored before names were checked
        db.session.execute(update(User).where(User.email == email).values(name=name))
    db.session.commit()


def _send(runner, *extra):
    return runner.invoke(args=["overdue", "--as-of", "2021-09-29", "--email", *extra])


def test_a_display_name_cannot_add_a_recipient(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Chris <evil@example.org>, McKenzie")
    _send(runner)
    recipients = {address for to, _ in server.messages for address in to}
    assert recipients == EVERYONE
    chris = next(message for to, message in server.messages if to == [CHRIS])
    addresses = chris["To"].addresses
    assert addresses == (Address("Chris <evil@example.org>, McKenzie", addr_spec=CHRIS),)


def test_a_name_in_another_script_is_encoded_and_reads_back(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Siân Ó Briain-Łukasz")
    _send(runner)
    chris = next(message for to, message in server.messages if to == [CHRIS])
    assert chris["To"].addresses[0].display_name == "Siân Ó Briain-Łukasz"
    assert chris["To"].addresses[0].addr_spec == CHRIS


def test_one_unwritable_recipient_is_reported_and_the_rest_still_get_theirs(demo, runner, smtp):  # noqa: F811
    server = smtp()
    _rename(CHRIS, "Chris\r\nBcc: evil@example.org", check=False)
    result = _send(runner)
    assert result.exit_code == 1
    assert f"Error: {CHRIS}: cannot be written as an email" in result.stderr
    assert "Traceback" not in result.output
    assert {to[0] for to, _ in server.messages} == EVERYONE - {CHRIS}
    headers = [value for _, message in server.messages for value in message.values()]
    assert headers and not any("evil" in value for value in headers)


def test_a_dry_run_reports_an_unwritable_recipient_too(demo, runner, smtp):  # noqa: F811
    smtp()
    _rename(CHRIS, "Chris\nMcKenzie", check=False)
    result = _send(runner, "--dry-run")
    assert result.exit_code == 1
    assert f"Error: {CHRIS}: cannot be written as an email" in result.stderr
    assert "To: Helen Gillivan <helen.gillivan@example.gov.uk>" in result.stdout

"""Sending the reminder digests: each person once a day, through SMTP. A team's items
go to its members."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from email.message import EmailMessage

from sqlalchemy import select

from riskkit.errors import SettingError
from riskkit.extensions import db
from riskkit.models import ReminderSent
from riskkit.services.overdue import Item
from riskkit.services.teams import members_by_team


@dataclass
class Outcome:
    sent: list[tuple[str, int]] = field(default_factory=list)  # (address, items)
    failed: list[str] = field(default_factory=list)  # one readable line each
    # Owners with no address to send to (a person without one, a team whose members have
    # none): a gap in the register's data to fix, not a failure of the run.
    undeliverable: list[str] = field(default_factory=list)
    already_sent: int = 0


@dataclass
class Digest:
    """What one person is told: their own items, and items escalated to them as the
    owner of a register. The face turns it into an email (reports/reminders.py)."""

    name: str
    address: str
    own: list[Item] = field(default_factory=list)
    escalated: list[Item] = field(default_factory=list)

    @property
    def items(self) -> list[Item]:
        return self.own + self.escalated


def digests(items: list[Item], escalate_after: int,
            teams: dict[str, list[tuple[str, str | None]]] | None = None,
            ) -> tuple[list[Digest], list[str]]:
    """One digest per email address: the owner's own items (a team's go to each of its
    members with an address), plus items more than `escalate_after` days overdue for the
    register's owner. Also the people who cannot be reached because they have no email
    address, and the teams with no member who can, each named once."""
    teams = teams or {}
    by_address: dict[str, Digest] = {}
    unreachable: dict[str, int] = {}
    for item in items:
        recipients = [(item.owner, item.owner_email)] + teams.get(item.owner, [])
        reached = False
        for name, address in recipients:
            if address:
                by_address.setdefault(address, Digest(name, address)).own.append(item)
                reached = True
        if not reached:
            unreachable[item.owner] = unreachable.get(item.owner, 0) + 1
        if item.days_overdue > escalate_after and item.register_owner_email \
                and item.register_owner_email != item.owner_email:
            by_address.setdefault(item.register_owner_email, Digest(
                item.register_owner, item.register_owner_email)).escalated.append(item)
    problems = [_unreachable(name, count, name in teams) for name, count in sorted(unreachable.items())]
    return sorted(by_address.values(), key=lambda d: d.address), problems


def _unreachable(name: str, count: int, team: bool) -> str:
    items = f"{count} item{'s' if count != 1 else ''} not sent"
    if team:
        return f"{name} is a team with nobody to remind (no member has an email address): {items}"
    return f"{name} has no email address: {items}"


def _unsent(digest: Digest, as_of: date) -> Digest:
    """The digest less what this address was already sent for the same day."""
    done = set(db.session.scalars(select(ReminderSent.item).where(
        ReminderSent.sent_on == as_of, ReminderSent.recipient == digest.address)))
    return Digest(digest.name, digest.address, [i for i in digest.own if i.key not in done],
                  [i for i in digest.escalated if i.key not in done])


def send_reminders(items: list[Item], as_of: date, settings: dict, escalate_after: int,
                   render: Callable[[Digest], EmailMessage], dry_run: bool = False,
                   echo=print) -> Outcome:
    """Send (or, dry, print) each digest, made into an email by `render` (the face's
    renderer); a failure for one recipient is reported and the rest still go. What is
    sent is logged so a rerun the same day repeats nothing. Sending needs
    RISKKIT_BASE_URL (`base_url` in settings), for the links in the emails."""
    if not dry_run and not settings.get("base_url"):
        raise SettingError("RISKKIT_BASE_URL is not set, so reminders would carry links that go"
                           " nowhere: set it to the address people open riskkit at", "RISKKIT_BASE_URL")
    outcome = Outcome()
    planned, outcome.undeliverable = digests(items, escalate_after, members_by_team())
    messages: list[tuple[Digest, EmailMessage]] = []
    for digest in planned:
        fresh = _unsent(digest, as_of)
        outcome.already_sent += len(digest.items) - len(fresh.items)
        if not fresh.items:
            continue
        try:
            messages.append((fresh, render(fresh)))
        except ValueError as error:  # one person's bad name or address stops only their email
            outcome.failed.append(f"{digest.address}: cannot be written as an email ({error})")
    if dry_run:
        for digest, message in messages:
            echo(message.as_string())
            outcome.sent.append((digest.address, len(digest.items)))
        return outcome
    if not messages:
        return outcome
    try:
        connection = connect(settings)
    except (OSError, smtplib.SMTPException) as error:
        outcome.failed += [f"{d.address}: cannot reach the mail server ({error})" for d, _ in messages]
        return outcome
    with connection:
        for digest, message in messages:
            try:
                connection.send_message(message)
            except smtplib.SMTPException as error:
                outcome.failed.append(f"{digest.address}: refused by the mail server ({error})")
                continue
            for item in digest.items:
                db.session.add(ReminderSent(sent_on=as_of, recipient=digest.address, item=item.key))
            db.session.commit()
            outcome.sent.append((digest.address, len(digest.items)))
    return outcome


def connect(settings: dict, timeout: int = 30) -> smtplib.SMTP:
    """A connection to the mail server in `settings` (the SMTP config), with TLS and the
    sign-in it asks for. Used to send reminders and by `riskkit check`."""
    host, port, tls = settings["host"], int(settings["port"]), settings["tls"]
    if tls == "ssl":
        connection = smtplib.SMTP_SSL(host, port, timeout=timeout, context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(host, port, timeout=timeout)
        if tls == "starttls":
            connection.starttls(context=ssl.create_default_context())
    if settings.get("user"):
        connection.login(settings["user"], settings.get("password") or "")
    return connection

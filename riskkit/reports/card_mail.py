"""The email that tells each holder of a response role the steps of their card at a
newly declared level: one message a person, every role they hold, the steps numbered as
on the card, and a link to the dashboard where each is marked done. Sent through the
reminder mail (services.reminders) with its envelope (reports/reminders.compose)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from html import escape

from riskkit.reports.reminders import FONT, LINK, compose
from riskkit.services.action_cards import CardMail, declared_words, mail_cards
from riskkit.services.reminders import Digest


def card_message(digest: Digest, declared: str, sender: str, base_url: str, now: datetime) -> EmailMessage:
    """`declared` says what was declared, by whom and why ("OPEL 3 (Red) declared for the
    whole organisation by ... on ...: reason"); the digest's items are the steps."""
    level = digest.items[0].reference if digest.items else ""
    roles: dict[str, list[str]] = {}
    for item in digest.items:
        roles.setdefault(item.title, []).append(item.action or "")
    text = [f"Dear {digest.name},", "", declared, "", "Your action card" + ("s" if len(roles) > 1 else "")
            + f" at {level}:", ""]
    html = [f"<p style=\"{FONT}\">Dear {escape(digest.name)},</p>", f"<p style=\"{FONT}\">{escape(declared)}</p>"]
    for role, steps in roles.items():
        text += [role, "-" * len(role)] + [f"{n}. {step}" for n, step in enumerate(steps, start=1)] + [""]
        html.append(f"<h2 style=\"{FONT};font-size:20px;margin:24px 0 8px\">{escape(role)}</h2>"
                    f"<ol style=\"{FONT}\">" + "".join(f"<li>{escape(step)}</li>" for step in steps) + "</ol>")
    text.append(f"Mark each step done on your dashboard: {base_url}/#cards")
    html.append(f"<p style=\"{FONT}\"><a style=\"{LINK}\" href=\"{escape(base_url)}/#cards\">Mark each step done on"
                " your dashboard</a></p>")
    return compose(digest, f"{level} declared: your action card", sender, base_url, now, text, html)


def email_cards(declaration, config: dict, now: datetime, dry_run: bool = False, echo=print) -> CardMail:
    """Send the declared level's cards to their holders with the app's mail settings
    (`config`: the app's, with SMTP), written by card_message; what came of it
    (services.action_cards.mail_cards). What the CLI's `declare` and `cards --email` and
    the web's declare form share."""
    smtp = config["SMTP"]
    declared = declared_words(declaration)
    return mail_cards(declaration, smtp, dry_run=dry_run, echo=echo,
                      render=lambda digest: card_message(digest, declared, smtp["from"], smtp.get("base_url", ""),
                                                         now))

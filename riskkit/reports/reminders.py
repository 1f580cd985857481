"""Reminder emails: one digest per recipient, as a standards-complete message (Date and
Message-ID headers, plain text and HTML alternatives) whose every item links to where
it is dealt with."""

from __future__ import annotations

from datetime import date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from html import escape
from urllib.parse import urlsplit

from riskkit.services.overdue import KIND_LABELS, Item, describe_due, path_of
from riskkit.services.reminders import Digest

SECTIONS = (("own", "Due from you"), ("escalated", "Escalated to you as register owner"))
#: Inline styles: mail programs drop style sheets. GOV.UK's text, link and border colours.
FONT = "font-family:Arial,Helvetica,sans-serif;color:#0b0c0c"
CELL = "border:1px solid #b1b4b6;padding:6px 8px;text-align:left;vertical-align:top"
LINK = "color:#1d70b8;text-decoration:underline"


def subject(digest: Digest, as_of: date) -> str:
    """'Risk register: 3 overdue, 1 due soon (29/09/2021)', naming only what there is."""
    overdue = sum(1 for i in digest.items if i.days_overdue > 0)
    counts = [(overdue, "overdue"), (len(digest.items) - overdue, "due soon")]
    words = ", ".join(f"{count} {what}" for count, what in counts if count)
    return f"Risk register: {words} ({as_of:%d/%m/%Y})"


def build_message(digest: Digest, as_of: date, sender: str, organisation: str,
                  base_url: str, now: datetime) -> EmailMessage:
    """The digest as an email sent at `now` (aware). A name or address that cannot be
    written into the To header safely (a line break, say) raises ValueError: the display
    name is quoted and encoded by the standard library, so it can never add a recipient
    or a header. Links are absolute, from `base_url` (RISKKIT_BASE_URL)."""
    intro = f"This is the {organisation} risk register reminder for {as_of:%d/%m/%Y}."
    text = [f"Dear {digest.name},", "", intro, ""]
    html = [f"<p style=\"{FONT}\">Dear {escape(digest.name)},</p>", f"<p style=\"{FONT}\">{escape(intro)}</p>"]
    for attribute, heading in SECTIONS:
        items = getattr(digest, attribute)
        if items:
            text += [heading, "-" * len(heading)] + [_line(i, base_url) for i in items] + [""]
            html.append(_table(heading, items, base_url))
    text.append(f"Open the register: {base_url}/")
    html.append(f"<p style=\"{FONT}\"><a style=\"{LINK}\" href=\"{escape(base_url)}/\">Open the register</a></p>")
    return compose(digest, subject(digest, as_of), sender, base_url, now, text, html)


def compose(digest: Digest, title: str, sender: str, base_url: str, now: datetime, text: list[str],
            html: list[str]) -> EmailMessage:
    """An email to the digest's person: the headers, then `text` lines as the plain part
    and `html` fragments as the HTML one. Shared by every message the reminder service
    sends (the overdue digest, action cards)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=digest.name, addr_spec=digest.address)
    message["Subject"] = title
    message["Date"] = format_datetime(now)
    # The server's own name, not this machine's (which may be private, or slow to look up).
    message["Message-ID"] = make_msgid("riskkit", domain=urlsplit(base_url).hostname
                                       or sender.rpartition("@")[2] or "localhost")
    message.set_content("\n".join(text))
    message.add_alternative(
        f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(title)}"
        f"</title></head><body style=\"{FONT};font-size:16px;line-height:1.4\">{''.join(html)}</body></html>",
        subtype="html")
    return message


def _line(item: Item, base_url: str) -> str:
    what = {"review": f"Review of {item.reference}", "action": f"Action on {item.reference}",
            "issue review": f"Review of issue {item.reference}",
            "issue action": f"Action on issue {item.reference}",
            "lesson": f"Lesson {item.reference} from"}.get(item.kind, f"{item.reference}:")
    words = f": {item.action}" if item.action else ""
    return (f"{what} {item.title}{words}\n    owner {item.owner}, due {item.due_date:%d/%m/%Y},"
            f" {describe_due(item)}\n    {base_url}{path_of(item)}")


def _table(heading: str, items: list[Item], base_url: str) -> str:
    headers = "".join(f"<th scope=\"col\" style=\"{CELL};background:#f3f2f1\">{name}</th>"
                      for name in ("Kind", "Reference", "What", "Owner", "Due", "Status"))
    rows = "".join(
        f"<tr><td style=\"{CELL}\">{KIND_LABELS[i.kind]}</td>"
        f"<td style=\"{CELL}\"><a style=\"{LINK}\" href=\"{escape(base_url + path_of(i))}\">"
        f"{escape(i.reference)}</a></td>"
        f"<td style=\"{CELL}\">{escape(i.title)}{'<br>' + escape(i.action) if i.action else ''}</td>"
        f"<td style=\"{CELL}\">{escape(i.owner)}</td><td style=\"{CELL}\">{i.due_date:%d/%m/%Y}</td>"
        f"<td style=\"{CELL}\">{describe_due(i)}</td></tr>"
        for i in items)
    return (f"<h2 style=\"{FONT};font-size:20px;margin:24px 0 8px\">{escape(heading)}</h2>"
            f"<table style=\"{FONT};border-collapse:collapse;font-size:16px\">"
            f"<thead><tr>{headers}</tr></thead><tbody>{rows}</tbody></table>")

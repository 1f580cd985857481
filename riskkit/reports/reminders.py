"""Reminder emails: one digest per recipient, in plain text and HTML."""

from __future__ import annotations

from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from html import escape

from riskkit.services.overdue import KIND_LABELS, Item, describe_due, path_of
from riskkit.services.reminders import Digest


def _line(item: Item) -> str:
    what = {"review": f"Review of {item.reference}", "action": f"Action on {item.reference}",
            "lesson": f"Lesson {item.reference} from"}.get(item.kind, f"{item.reference}:")
    words = f": {item.action}" if item.action else ""
    return (f"{what} {item.title}{words}\n    owner {item.owner}, due {item.due_date:%d/%m/%Y},"
            f" {describe_due(item)}")


def build_message(digest: Digest, as_of: date, sender: str, organisation: str,
                  base_url: str = "") -> EmailMessage:
    """The digest as an email. A name or address that cannot be written into the To
    header safely (a line break, say) raises ValueError: the display name is quoted and
    encoded by the standard library, so it can never add a recipient or a header."""
    overdue = sum(1 for i in digest.items if i.days_overdue > 0)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = Address(display_name=digest.name, addr_spec=digest.address)
    message["Subject"] = (f"Risk register: {overdue} overdue, {len(digest.items) - overdue} due soon"
                          f" ({as_of:%d/%m/%Y})")
    sections = [("Due from you", digest.own),
                ("Escalated to you as register owner", digest.escalated)]
    text = [f"Dear {digest.name},", "",
            f"This is the {organisation} risk register reminder for {as_of:%d/%m/%Y}.", ""]
    html = [f"<p>Dear {escape(digest.name)},</p>",
            f"<p>This is the {escape(organisation)} risk register reminder for {as_of:%d/%m/%Y}.</p>"]
    for heading, items in sections:
        if not items:
            continue
        text += [heading, "-" * len(heading)] + [_line(i) for i in items] + [""]
        rows = "".join(
            f"<tr><td>{KIND_LABELS[i.kind]}</td>"
            f"<td><a href=\"{escape(base_url + path_of(i))}\">{escape(i.reference)}</a></td>"
            f"<td>{escape(i.title)}{'<br>' + escape(i.action) if i.action else ''}</td>"
            f"<td>{escape(i.owner)}</td><td>{i.due_date:%d/%m/%Y}</td><td>{describe_due(i)}</td></tr>"
            for i in items)
        html.append(f"<h2>{escape(heading)}</h2><table border=\"1\" cellpadding=\"4\""
                    f" style=\"border-collapse:collapse\"><tr><th>Kind</th><th>Reference</th><th>What</th>"
                    f"<th>Owner</th><th>Due</th><th>Status</th></tr>{rows}</table>")
    if base_url:
        text.append(f"Open the register: {base_url}/")
    message.set_content("\n".join(text))
    message.add_alternative("<html><body>" + "".join(html) + "</body></html>", subtype="html")
    return message

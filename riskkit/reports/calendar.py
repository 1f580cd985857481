"""An iCalendar (RFC 5545) feed of all-day events: plain entries in, bytes out.

Written by hand: the format needs only a few rules, all kept here: lines end in CRLF
and are folded at 75 octets (never inside a UTF-8 character), text escapes backslash,
semicolon, comma and newlines, and dates are all-day (VALUE=DATE).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # a renderer needs only the shape of an entry, not the service
    from riskkit.services.exports import CalendarEntry

LINE_OCTETS = 75
#: How often calendar programs should fetch the feed again (RFC 7986, and Outlook's own name).
REFRESH = "PT12H"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")  # not allowed in TEXT; tab is


def calendar_bytes(entries: Iterable[CalendarEntry], *, name: str, stamp: datetime, domain: str,
                   page_url: Callable[[CalendarEntry], str]) -> bytes:
    """A VCALENDAR with one VEVENT per entry. `stamp` (when the feed was made, aware) is
    every event's DTSTAMP; `domain` (from the settings) makes the UIDs unique to this
    server; `page_url` gives the address of the entry's risk or issue page."""
    stamped = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//riskkit//riskkit calendar feed//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape(name)}",
        f"X-WR-CALNAME:{escape(name)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{REFRESH}",
        f"X-PUBLISHED-TTL:{REFRESH}",
    ]
    for entry in entries:
        url = page_url(entry)
        description = f"{entry.description}\n{url}"
        lines += [
            "BEGIN:VEVENT",
            # The same item on the same day keeps its UID in every fetch, through any address.
            f"UID:{entry.key}@{domain}",
            f"DTSTAMP:{stamped}",
            f"DTSTART;VALUE=DATE:{entry.day:%Y%m%d}",
            f"DTEND;VALUE=DATE:{entry.day + timedelta(days=1):%Y%m%d}",
            f"SUMMARY:{escape(entry.summary)}",
            f"DESCRIPTION:{escape(description)}",
            f"URL:{url}",
            # A reminder, not a meeting: it does not make the owner look busy.
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return _CONTROL.sub("", text)


def fold(line: str) -> bytes:
    """One content line as UTF-8 with CRLF, folded so no physical line exceeds 75 octets;
    a continuation starts with a space, which counts towards its 75."""
    out, current, size = [], [], 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_OCTETS:
            out.append("".join(current))
            current, size = [" "], 1
        current.append(char)
        size += width
    out.append("".join(current))
    return ("\r\n".join(out) + "\r\n").encode("utf-8")

"""Files uploaded for import, kept between the preview and the confirmation in the data
directory's imports/ folder under a random name. A file is removed when its import is
written or refused; one never confirmed (the page closed at the preview) is removed once
it is older than KEEP_FOR, on the next upload or by `riskkit clean-uploads` from cron."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

#: How long an upload waits for its confirmation: a preview left open over lunch, or
#: overnight, can still be confirmed.
KEEP_FOR = timedelta(days=1)


def folder(data_dir: Path) -> Path:
    path = data_dir / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_upload(data_dir: Path, suffix: str, now: datetime) -> tuple[str, Path]:
    """A token and the path to save an upload to, after removing abandoned ones."""
    remove_abandoned(data_dir, now)
    token = secrets.token_urlsafe(16)
    return token, folder(data_dir) / f"{token}{suffix}"


def find(data_dir: Path, token: str) -> Path | None:
    """The upload a token names, or None (unknown, already imported, or removed)."""
    if not token.replace("-", "").replace("_", "").isalnum():
        return None
    matches = list(folder(data_dir).glob(f"{token}.*"))
    return matches[0] if len(matches) == 1 else None


def remove_abandoned(data_dir: Path, now: datetime, keep_for: timedelta = KEEP_FOR) -> int:
    """Remove uploads last written before `now - keep_for`; return how many."""
    cutoff = (now - keep_for).timestamp()
    removed = 0
    for path in folder(data_dir).iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # removed meanwhile by another process's clean-up
    return removed

"""Personal access tokens for the API: made, listed and revoked by their person (or an
admin, or the operator at the command line), and checked on every API request.

A token acts with exactly its person's permissions (riskkit.permissions); its scope can
only take away: a `read` token makes no change whatever its person may do. The secret is
a random string shown once; only its sha256 is kept, so a copy of the database gives no
one a working token.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from riskkit import permissions
from riskkit.audit import acting_as
from riskkit.clock import aware
from riskkit.errors import NotFound, PermissionDenied, ValidationError
from riskkit.extensions import db
from riskkit.models import ApiToken, User
from riskkit.models.base import check_date

#: Marks a riskkit secret, so that a secret scanner or a person can tell what it is.
PREFIX = "rk_"
#: How long a token may be made for at most: a forgotten one stops working within a year.
LONGEST_DAYS = 366
DEFAULT_DAYS = 90
#: How often a token's last use is written (reading the API should not write every time).
LAST_USED_EVERY = timedelta(minutes=5)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def may_manage(by: User | None, person: User) -> bool:
    """Whether `by` may make, see and revoke person's tokens: themselves, or an admin
    (None is the operator at the command line)."""
    return by is None or by.id == person.id or permissions.can(by, "administer")


def create_token(by: User | None, person: User, *, name: str, scope: str, expires_on: date | None,
                 today: date) -> tuple[ApiToken, str]:
    """Make a token for person; returns it and its secret, which is not kept anywhere."""
    if not may_manage(by, person):
        raise PermissionDenied("Only an administrator may make a token for someone else")
    if person.is_team or not person.is_active:
        raise ValidationError(f"{person.name} cannot sign in, so cannot have a token", "user")
    expires_on = expires_on or today + timedelta(days=DEFAULT_DAYS)
    check_date(expires_on, "expires_on")
    if expires_on <= today:
        raise ValidationError("The expiry date must be in the future", "expires_on")
    if expires_on > today + timedelta(days=LONGEST_DAYS):
        raise ValidationError(f"A token can last at most {LONGEST_DAYS} days: choose an expiry"
                              f" date by {today + timedelta(days=LONGEST_DAYS):%d/%m/%Y}", "expires_on")
    secret = PREFIX + secrets.token_urlsafe(32)
    with acting_as(by):
        token = ApiToken(user=person, name=name, scope=scope, expires_on=expires_on,
                         secret_hash=hash_secret(secret))
        db.session.add(token)
        db.session.flush()
    return token, secret


def list_tokens(by: User | None, person: User | None = None) -> list[ApiToken]:
    """person's tokens (everyone's when person is None, for an admin), newest first."""
    if person is None and by is not None and not permissions.can(by, "administer"):
        person = by
    if person is not None and not may_manage(by, person):
        raise PermissionDenied("Only an administrator may see someone else's tokens")
    statement = select(ApiToken).options(joinedload(ApiToken.user)).order_by(
        ApiToken.created_at.desc(), ApiToken.id.desc())
    if person is not None:
        statement = statement.where(ApiToken.user_id == person.id)
    return list(db.session.scalars(statement))


def get_token(token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound(f"No token {token_id}")
    return token


def revoke_token(by: User | None, token: ApiToken, now: datetime) -> bool:
    """Revoke a token at once; False when it was revoked already."""
    if not may_manage(by, token.user):
        raise PermissionDenied("Only an administrator may revoke someone else's token")
    if token.revoked_at is not None:
        return False
    with acting_as(by):
        token.revoked_at = now
        db.session.flush()
    return True


def authenticate(secret: str, now: datetime) -> ApiToken | None:
    """The live token with this secret (not revoked, not expired, its person still able
    to sign in), with its last use noted; None for anything else, alike."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(select(ApiToken).options(joinedload(ApiToken.user))
                              .where(ApiToken.secret_hash == hash_secret(secret)))
    if (token is None or token.revoked_at is not None or token.expires_on < now.date()
            or not token.user.is_active):
        return None
    if token.last_used_at is None or aware(token.last_used_at) < now - LAST_USED_EVERY:
        token.last_used_at = now
        db.session.commit()
    return token



def require_write(token: ApiToken) -> None:
    if not token.writes:
        raise PermissionDenied(f"The token {token.name!r} may only read: make a read-write token"
                               " to change anything")


class RateLimiter:
    """At most `limit` requests a minute for each token, in a sliding minute, counted in
    this process (with several worker processes each counts its own)."""

    def __init__(self, limit: int, window: float = 60.0):
        self.limit, self.window = limit, window
        self._seen: dict[int, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: int, now: float | None = None) -> float | None:
        """None when the request may go ahead; else the seconds until one may."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.setdefault(key, deque())
            while seen and seen[0] <= now - self.window:
                seen.popleft()
            if len(seen) >= self.limit:
                return seen[0] + self.window - now
            seen.append(now)
            return None

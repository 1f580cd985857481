"""Who is calling: the personal access token in `Authorization: Bearer ...`, checked
before every API request (services.tokens), and the per-token rate limit."""

from math import ceil

from flask import current_app, g, request

from riskkit.api import problems
from riskkit.models.base import utcnow
from riskkit.services.tokens import RateLimiter, require_write
from riskkit.services.tokens import authenticate as find_token

#: Said with a 401, as RFC 6750 asks.
CHALLENGE = ("WWW-Authenticate", 'Bearer realm="riskkit"')


def authenticate():
    """Before each API request: the token's person acts, or the request is refused."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = find_token(secret.strip(), utcnow()) if scheme.lower() == "bearer" else None
    if token is None:
        return problems.response(401, headers=[CHALLENGE])
    wait = _limiter().allow(token.id)
    if wait is not None:
        return problems.response(429, f"This token may make {_limiter().limit} requests a minute:"
                                      f" try again in {ceil(wait)} seconds",
                                 headers=[("Retry-After", str(ceil(wait)))])
    g.api_token, g.api_user = token, token.user
    g.request_user_id = str(token.user_id)  # for the request's log line
    return None


def acting_user():
    return g.api_user


def writing_user():
    """The token's person, for a change: refused (403) when the token may only read."""
    require_write(g.api_token)
    return g.api_user


def _limiter() -> RateLimiter:
    """One per app, made when first used, with the limit in force then."""
    limit = current_app.config["API_RATE_LIMIT"]
    limiter = current_app.extensions.get("riskkit-api-limiter")
    if limiter is None or limiter.limit != limit:
        limiter = current_app.extensions["riskkit-api-limiter"] = RateLimiter(limit)
    return limiter

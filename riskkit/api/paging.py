"""Keyed pages over the API: the key of the next page travels in the `after` parameter of
the `next` link, as base64url JSON that a client never makes by hand (the services read
it: services.paging.keyset_page)."""

import base64
import binascii
import json

from flask import request, url_for

from riskkit.errors import ValidationError
from riskkit.services.paging import KEY_REFUSED


def key(after: str | None) -> list | None:
    """The page key carried in `after` (made by page()); None for the first page."""
    if not after:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(after.encode("ascii") + b"=" * (-len(after) % 4)))
    except (ValueError, UnicodeError, binascii.Error):
        raise ValidationError(KEY_REFUSED, "after") from None


def page(items: list, next_key: list | None) -> dict:
    """A page as the API answers it: the items, and the address of the next page (this
    request's, with its filters, starting after the key), or null on the last."""
    return {"items": items, "next": _next_link(next_key) if next_key is not None else None}


def _next_link(next_key: list) -> str:
    after = base64.urlsafe_b64encode(json.dumps(next_key).encode()).decode().rstrip("=")
    args = request.args.to_dict(flat=False)
    args["after"] = [after]
    return url_for(request.endpoint, _external=True, **(request.view_args or {}), **args)

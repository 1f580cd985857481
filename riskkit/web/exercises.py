"""Placeholder blueprint, filled in by the pages of issue 5."""

from flask import Blueprint

bp = Blueprint("exercises", __name__)

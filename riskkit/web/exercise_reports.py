"""Placeholder blueprint, filled in by the pages of issue 5."""

from flask import Blueprint

bp = Blueprint("exercise_reports", __name__)

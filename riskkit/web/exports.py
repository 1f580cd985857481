"""(placeholder: filled in by the reports work)"""

from flask import Blueprint

bp = Blueprint("exports", __name__)

"""(placeholder: filled in by the reports work)"""

from flask import Blueprint

bp = Blueprint("appendix", __name__)

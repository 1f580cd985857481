"""(placeholder: filled in by the reports work)"""

from flask import Blueprint

bp = Blueprint("heatmaps", __name__)

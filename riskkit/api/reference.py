"""The API reference as a page: every route, its parameters and answers, read from the
generated OpenAPI description, so the page cannot disagree with the API."""

from flask import Blueprint, current_app, render_template

bp = Blueprint("api", __name__)
#: The keys of a path in the description that are operations (others: its parameters).
METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/")
def reference():
    """The API reference (public, like the description it shows)."""
    spec = current_app.extensions["riskkit-api"].spec.to_dict()
    operations = [(path, method.upper(), operation)
                  for path, item in spec["paths"].items() for method, operation in item.items()
                  if method in METHODS]
    return render_template("api/reference.html", title="API reference", spec=spec,
                           operations=operations, schemas=spec["components"]["schemas"])

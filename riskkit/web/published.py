"""Published committee papers: the list, the Publish button, and the stored downloads."""

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import ValidationError
from riskkit.services import document_log, publishing

bp = Blueprint("published", __name__)


def _page(error: str | None = None, quarter: str = "", status: int = 200):
    return render_template("published/index.html", title="Published papers",
                           section="published", publications=publishing.publications(),
                           error=error, quarter=quarter), status


@bp.get("/published")
def index():
    """Every quarter published, newest first, with its documents and checksums."""
    permissions.require(current_user, "view")
    return _page()


@bp.post("/published")
def publish():
    """Publish the quarter named in the form (managers and admins)."""
    from riskkit.reports.papers import renderers  # on first use: the CLI starts fast

    quarter = (request.form.get("quarter") or "").strip()
    try:
        publication = publishing.publish(quarter, current_user._get_current_object(),
                                         current_app.config["ORGANISATION_NAME"], renderers())
    except ValidationError as error:
        return _page(str(error), quarter, 400)
    flash(f"Published {publication.quarter}: {len(publication.documents)} documents as at"
          f" {publication.as_of:%d/%m/%Y}", "success")
    return redirect(url_for(".index"))


@bp.get("/published/<quarter>/<name>")
def download(quarter, name):
    """A published document, as the bytes stored when it was published."""
    permissions.require(current_user, "view")
    document = publishing.get_document(quarter, name)
    document_log.record(current_user._get_current_object(), "downloaded",
                        f"Published papers {document.publication.quarter}: {document.title}",
                        document.name)
    return Response(document.content, mimetype=document.media_type, headers={
        "Content-Disposition": f'attachment; filename="{document.name}"',
        "Digest": f"sha-256={document.sha256}"})

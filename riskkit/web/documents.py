"""Sending a committee document as a named download: the PDF (or workbook) or its
accessible HTML version, noted in the document log."""

import io

from flask import Response, send_file
from flask_login import current_user

from riskkit.services import document_log

TYPES = {
    "pdf": "application/pdf",
    "html": "text/html",  # sent as text/html; charset=utf-8
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: The HTML versions carry their styles inline and run nothing: opened from the site, they
#: may load nothing either.
HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'"


def send_document(data: bytes, name: str, kind: str) -> Response:
    """`data` as an attachment called `name`.`kind`."""
    response = send_file(io.BytesIO(data), mimetype=TYPES[kind], as_attachment=True,
                         download_name=f"{name}.{kind}")
    if kind == "html":
        response.headers["Content-Security-Policy"] = HTML_POLICY
    return response


def send_logged(data: bytes, title: str, name: str, kind: str) -> Response:
    """As send_document, noting in the document log that the signed-in person downloaded
    the document called `title` (services.document_log)."""
    document_log.record(current_user._get_current_object(), "downloaded", title, f"{name}.{kind}")
    return send_document(data, name, kind)

"""Importing a register from a spreadsheet (managers and administrators): upload, a
preview with the guessed mapping editable, then confirm. The import service does the
reading and checking; a preview is the import run and rolled back."""

from datetime import UTC, datetime
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from riskkit import permissions
from riskkit.errors import RiskkitError
from riskkit.services.imports import headings, uploads
from riskkit.services.imports.importer import import_file
from riskkit.services.imports.reading import MAX_BYTES
from riskkit.services.matrices import all_matrices
from riskkit.services.registers import all_registers
from riskkit.web.params import today

bp = Blueprint("imports", __name__)

ALLOWED = (".xlsx", ".csv")
#: The largest upload body: the file, the form's few fields and the multipart framing.
UPLOAD_LIMIT = MAX_BYTES + 64 * 1024


def _data_dir() -> Path:
    return current_app.config["SETTINGS"].data_dir


def _upload_form(errors: dict, status: int = 200, form=None):
    return render_template("imports/upload.html", title="Import a register", errors=errors,
                           registers=all_registers(), matrices=all_matrices(),
                           form=request.form if form is None else form,
                           max_mb=MAX_BYTES // 1024 // 1024), status


@bp.get("/import")
def upload():
    """The upload form."""
    permissions.require(current_user, "create_risk")
    return _upload_form({})


@bp.post("/import")
def receive():
    """Keep the uploaded file under a random name, then show the preview."""
    permissions.require(current_user, "create_risk")
    too_large = ({"file": f"The file is larger than {MAX_BYTES // 1024 // 1024} MB"}, 413)
    if (request.content_length or 0) > UPLOAD_LIMIT:
        # Refused before the body is read: the size alone is enough to say no.
        return _upload_form(*too_large, form={})
    # This page alone takes more than the site's limit for a form (errors.py). The form
    # token is checked here, once the size is known, not before the view (see _exempt).
    request.max_content_length = UPLOAD_LIMIT
    try:
        if current_app.config["WTF_CSRF_ENABLED"]:
            current_app.extensions["csrf"].protect()
        upload = request.files.get("file")
    except RequestEntityTooLarge:  # a body sent without its length, read to the limit
        return _upload_form(*too_large, form={})
    name = Path(upload.filename or "").name if upload else ""
    errors = {}
    if not name:
        errors["file"] = "Choose a spreadsheet to import"
    elif Path(name).suffix.lower() not in ALLOWED:
        errors["file"] = "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)"
    if not request.form.get("register", "").strip():
        errors["register"] = "Enter the code of the register to import into"
    if errors:
        return _upload_form(errors, 400)
    token, path = uploads.new_upload(_data_dir(), Path(name).suffix.lower(), datetime.now(UTC))
    upload.save(path)
    return _run(token, name, mapping=None, confirm=False)


def _exempt(state) -> None:
    """CSRFProtect would read the whole upload before the view could look at its size."""
    state.app.extensions["csrf"].exempt(receive)


bp.record_once(_exempt)


@bp.post("/import/<token>")
def confirm(token):
    """Preview again with the mapping as edited, or import."""
    permissions.require(current_user, "create_risk")
    return _run(token, request.form.get("file_name", ""), mapping=_posted_mapping(),
                confirm=request.form.get("action") == "import")


def _posted_mapping() -> dict:
    """The mapping table on the preview page, as a mapping the service takes."""
    sheets = {}
    for key, sheet in request.form.items():
        if key.startswith("sheet-"):
            number = key.removeprefix("sheet-")
            columns = {}
            for column_key, heading in request.form.items():
                prefix = f"heading-{number}-"
                if column_key.startswith(prefix):
                    columns[heading] = request.form.get(f"field-{number}-{column_key[len(prefix):]}",
                                                        "ignore")
            sheets[sheet] = {"columns": columns}
    return {"sheets": sheets, "create_owners": request.form.get("create_owners") == "yes"}


def _run(token: str, file_name: str, mapping: dict | None, confirm: bool):
    path = uploads.find(_data_dir(), token)
    if path is None:
        abort(404)
    options = {key: request.form.get(key, "") for key in ("register", "matrix", "update",
                                                           "create_owners")}
    try:
        result = import_file(
            path, register_code=options["register"], as_of=today(), by=current_user._get_current_object(),
            file_name=file_name, matrix=options["matrix"] or None, mapping=mapping,
            update=options["update"] == "yes", create_owners=options["create_owners"] == "yes",
            dry_run=not confirm)
    except RiskkitError as error:
        path.unlink(missing_ok=True)
        field = "register" if getattr(error, "field", "") in ("register", "matrix", "code") else "file"
        return _upload_form({field: str(error)}, 400)
    if result.written:
        path.unlink(missing_ok=True)
        flash(f"Imported {file_name} into {result.register}: {result.summary}.", "success")
        return redirect(url_for("register.index", register=result.register))
    fields = {kind: ["ignore", *headings.FIELDS[kind]] + (list(headings.SCORE_FIELDS) if kind == "risks" else [])
              for kind in headings.FIELDS}
    return render_template("imports/preview.html", title="Check the import", result=result,
                           token=token, options=options, fields=fields), 200

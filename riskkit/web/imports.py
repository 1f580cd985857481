"""Importing a register from a spreadsheet (managers and administrators): upload, a
preview with the guessed mapping editable, then confirm. The import service does the
reading and checking; a preview is the import run and rolled back."""

import secrets
from pathlib import Path

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from riskkit import permissions
from riskkit.errors import RiskkitError
from riskkit.services.imports import headings
from riskkit.services.imports.importer import import_file
from riskkit.services.imports.reading import MAX_BYTES
from riskkit.services.matrices import all_matrices
from riskkit.services.registers import all_registers
from riskkit.web.params import today

bp = Blueprint("imports", __name__)

ALLOWED = (".xlsx", ".csv")


def _folder() -> Path:
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


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
    if (request.content_length or 0) > MAX_BYTES + 64 * 1024:
        # Refused before the body is read: the size alone is enough to say no.
        return _upload_form({"file": f"The file is larger than {MAX_BYTES // 1024 // 1024} MB"},
                            413, form={})
    upload = request.files.get("file")
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
    token = secrets.token_urlsafe(16)
    upload.save(_folder() / f"{token}{Path(name).suffix.lower()}")
    return _run(token, name, mapping=None, confirm=False)


@bp.post("/import/<token>")
def confirm(token):
    """Preview again with the mapping as edited, or import."""
    permissions.require(current_user, "create_risk")
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
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
    matches = list(_folder().glob(f"{token}.*"))
    if len(matches) != 1:
        abort(404)
    path = matches[0]
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

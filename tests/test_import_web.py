"""The import page: upload, preview with the mapping editable, confirm; managers and
administrators only; CSRF; size and type limits, and the site's limit for every other
form; uploads never confirmed removed after a day. The people are made by the factories
(`people`), Richard Smith, a manager, among them: the owner the spreadsheets name."""

import dataclasses
import io
import os
import re
import time

import pytest
from sqlalchemy import select

from riskkit.extensions import db
from riskkit.models import HistoryEntry, Risk
from riskkit.services.risks import get_risk
from riskkit.web.errors import MAX_BODY_BYTES
from tests.conftest import FreshContextClient
from tests.factories import PASSWORD, gen_risk, gen_user
from tests.import_helpers import workbook
from tests.web_helpers import error_messages

NAMES = {"manager": "Richard Smith", "admin": "Ada Admin", "owner": "Chris McKenzie",
         "viewer": "Val Viewer", "resilience": "Wayne Gough"}


@pytest.fixture
def people(app):
    made = {role: gen_user(name, role) for role, name in NAMES.items()}
    db.session.commit()
    return made


@pytest.fixture
def as_role(people, login):
    """as_role("manager") -> a client signed in as that person, CSRF checks off."""
    return lambda role: login(people[role])

ROWS = [["Ref", "Hazard", "Risk Owner", "Likelihood", "Impact"],
        ["WEB-1", "Lift failure in the civic centre", "Richard Smith", 2, 3],
        ["WEB-2", "Loss of the telephone system", "Richard Smith", "Likely", "Serious"]]


def _upload(client, path, **form):
    data = {"register": "WEB", "matrix": "council-5x5", **form,
            "file": (io.BytesIO(path.read_bytes()), path.name)}
    return client.post("/import", data=data, content_type="multipart/form-data")


def _form_fields(html: str) -> dict:
    """The preview form as a browser would post it."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    selects = r'<select class="govuk-select" id="[^"]+" name="([^"]+)">(.*?)</select>'
    for name, options in re.findall(selects, html, re.S):
        fields[name] = re.search(r'<option value="([^"]+)" selected', options).group(1)
    return fields


def test_upload_preview_change_a_column_and_confirm(as_role, people, tmp_path):
    client = as_role("manager")
    assert "Import a register" in client.get("/import").get_data(as_text=True)
    file = workbook(tmp_path / "hazards.xlsx", {"Hazards": ROWS})
    preview = _upload(client, file)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    # "Hazard" is not a heading riskkit knows: no title yet, said on the page.
    assert "Hazards row 1: no column is the title" in html and 'value="import"' not in html
    fields = _form_fields(html)
    heading = next(k for k, v in fields.items() if k.startswith("heading-") and v == "Hazard")
    fields["field-" + heading.removeprefix("heading-")] = "title"
    token = re.search(r'action="/import/([^"]+)"', html).group(1)
    checked = client.post(f"/import/{token}", data={**fields, "action": "preview"})
    html = checked.get_data(as_text=True)
    assert "Into register WEB: 2 created, 0 updated, 0 unchanged, 0 rejected" in html
    assert "Hazards row 3" in html and db.session.scalar(select(Risk).where(Risk.reference == "WEB-1")) is None
    done = client.post(f"/import/{token}", data={**_form_fields(html), "action": "import"})
    assert done.status_code == 302 and "register=WEB" in done.headers["Location"]
    risk = get_risk("WEB-2")
    assert (risk.title, risk.likelihood, risk.impact) == ("Loss of the telephone system", 4, 4)
    who = set(db.session.execute(select(HistoryEntry.actor, HistoryEntry.user_id).where(
        HistoryEntry.risk_id == risk.id)))
    manager = people["manager"]
    assert who == {(f"import of hazards.xlsx ({manager.name})", manager.id)}
    assert client.post(f"/import/{token}", data={"action": "import"}).status_code == 404


def test_problems_are_listed_and_nothing_is_written(as_role, tmp_path):
    client = as_role("admin")
    rows = [["Ref", "Title", "Owner", "L", "I"], ["B-1", "Bad", "Nobody Known", 9, 1]]
    response = _upload(client, workbook(tmp_path / "bad.xlsx", {"Risks": rows}))
    html = response.get_data(as_text=True)
    assert "2 problem(s)" in html
    assert "Risks row 2, L: Likelihood &#39;9&#39; is outside the Council 5 x 5 matrix (1 to 5)" in html
    assert 'value="import"' not in html
    assert db.session.scalar(select(Risk).where(Risk.reference == "B-1")) is None


@pytest.mark.parametrize("name, content, message", [
    ("notes.pdf", b"%PDF", "The file must be an Excel workbook (.xlsx) or a CSV file (.csv)"),
    ("empty.csv", b"", "empty.csv is empty"),
])
def test_wrong_files_are_refused_beside_the_field(as_role, tmp_path, name, content, message):
    client = as_role("manager")
    path = tmp_path / name
    path.write_bytes(content)
    response = _upload(client, path)
    assert response.status_code == 400
    assert error_messages(response) == [message]


def test_a_file_over_the_limit_is_refused_unread(as_role, tmp_path):
    client = as_role("manager")
    # Written out by hand: the test client would spool a large upload to a file of its own.
    body = (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
            + b"x" * (21 * 1024 * 1024) + b"\r\n--b--\r\n")
    response = client.post("/import", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert error_messages(response) == ["The file is larger than 20 MB"]


@pytest.mark.parametrize("role", ["owner", "viewer", "resilience"])
def test_only_managers_and_administrators_import(as_role, role):
    client = as_role(role)
    assert client.get("/import").status_code == 403
    assert client.post("/import", data={}).status_code == 403


def _signed_in_with_form_tokens(app):
    """A manager's client with CSRF checked, as in production, and the upload's token."""
    app.config["WTF_CSRF_ENABLED"] = True
    app.test_client_class = FreshContextClient
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', login).group(1)
    client.post("/login", data={"email": "richard.smith@example.gov.uk", "password": PASSWORD,
                                "csrf_token": token})
    page = client.get("/import").get_data(as_text=True)
    return client, re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_upload_needs_the_form_token(app, people, tmp_path):
    client, token = _signed_in_with_form_tokens(app)
    file = workbook(tmp_path / "t.xlsx", {"Risks": ROWS})
    assert _upload(client, file).status_code == 400
    assert _upload(client, file, csrf_token=token).status_code == 200


class Unreadable(io.RawIOBase):
    """A request body of `size` bytes that fails the test if anything reads it."""

    def __init__(self, size: int):
        super().__init__()
        self.size, self.position = size, 0

    def readable(self):
        return True

    def seekable(self):
        return True

    def seek(self, offset, whence=io.SEEK_SET):
        self.position = self.size + offset if whence == io.SEEK_END else offset
        return self.position

    def tell(self):
        return self.position

    def readinto(self, buffer):
        raise AssertionError("the request body was read")


@pytest.mark.parametrize("checked", [False, True], ids=["csrf-off", "csrf-on"])
def test_any_form_larger_than_the_limit_is_a_413_page_unread(app, people, as_role, checked):
    risk = gen_risk(owner=people["owner"])
    client = _signed_in_with_form_tokens(app)[0] if checked else as_role("manager")
    response = client.post(f"/risks/{risk.reference}/edit", input_stream=Unreadable(MAX_BODY_BYTES + 1),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "What you sent is too large" in response.get_data(as_text=True)


def test_the_upload_over_its_limit_gets_the_import_page_message_with_csrf_on(app, people):
    client, _ = _signed_in_with_form_tokens(app)
    response = client.post("/import", input_stream=Unreadable(50 * 1024 * 1024),
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert error_messages(response) == ["The file is larger than 20 MB"]


def test_an_upload_larger_than_a_form_but_within_its_limit_is_read(app, people):
    client, token = _signed_in_with_form_tokens(app)
    remarks = "Discussed at DMT. " * 6_000  # about 100 kB a row, a column riskkit ignores
    lines = ["Ref,Title,Risk Owner,Likelihood,Impact,Remarks"] + [
        f"BIG-{n},Risk {n},Richard Smith,2,3,{remarks}" for n in range(15)]
    content = "\n".join(lines).encode()
    assert len(content) > MAX_BODY_BYTES
    # Written out by hand: the test client would spool a large upload to a file of its own.
    fields = {"register": "WEB", "matrix": "council-5x5", "csrf_token": token}
    body = b"".join(f'--b\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                    for k, v in fields.items())
    body += (b'--b\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n\r\n'
             + content + b"\r\n--b--\r\n")
    response = client.post("/import", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 200
    assert "Into register WEB: 15 created" in response.get_data(as_text=True)


def test_uploads_never_confirmed_are_removed_after_a_day(app, as_role, runner, tmp_path):
    app.config["SETTINGS"] = dataclasses.replace(app.config["SETTINGS"], data_dir=tmp_path)
    folder = tmp_path / "imports"
    folder.mkdir()
    now = time.time()
    for name, hours_old in (("abandoned.xlsx", 25), ("recent.csv", 2), ("older.csv", 30)):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (now - hours_old * 3600, now - hours_old * 3600))
    client = as_role("manager")
    preview = _upload(client, workbook(tmp_path / "hazards.xlsx", {"Hazards": ROWS}))
    token = re.search(r'action="/import/([^"]+)"', preview.get_data(as_text=True)).group(1)
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{token}.xlsx", "recent.csv"])
    cleaned = runner.invoke(args=["clean-uploads", "--hours", "1"])
    assert cleaned.exit_code == 0, cleaned.output
    assert cleaned.output == "Removed 1 upload(s) older than 1 hours\n"
    assert [p.name for p in folder.iterdir()] == [f"{token}.xlsx"]

"""/healthz: answers without a sign-in, says only whether riskkit can serve, and says why
not when it cannot."""

from sqlalchemy import text

from riskkit.extensions import db
from riskkit.services.health import head_revision


def test_healthz_answers_signed_out_with_the_schema_and_no_data(site):
    response = site.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "schema": head_revision()}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_503_when_the_schema_is_not_current(site):
    db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    db.session.commit()
    try:
        response = site.test_client().get("/healthz")
    finally:  # the PostgreSQL test database is shared by the whole run
        db.session.execute(text("UPDATE alembic_version SET version_num = :head"),
                           {"head": head_revision()})
        db.session.commit()
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable" and body["schema"] == "0001"
    assert f"expected {head_revision()}: run `riskkit init`" in body["problem"]

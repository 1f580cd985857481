"""Scoring matrices kept in the database: the built-in ones and imported files."""

from pathlib import Path

import yaml
from sqlalchemy import select

from riskkit import permissions, scoring
from riskkit.errors import NotFound, ValidationError
from riskkit.extensions import db
from riskkit.models import MatrixDefinition, User
from riskkit.services.named_files import read_yaml

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "matrices"
DEFAULT_MATRIX = "council-5x5"


def builtin_definitions() -> list[dict]:
    return [yaml.safe_load(path.read_text()) for path in sorted(BUILTIN_DIR.glob("*.yaml"))]


def ensure_builtin() -> list[MatrixDefinition]:
    """Add any built-in matrix the database does not have yet; return those added."""
    added = []
    for definition in builtin_definitions():
        if db.session.scalar(select(MatrixDefinition).where(
                MatrixDefinition.slug == definition["slug"])) is None:
            added.append(_store(definition, builtin=True))
    return added


def all_matrices() -> list[MatrixDefinition]:
    return list(db.session.scalars(select(MatrixDefinition).order_by(MatrixDefinition.slug)))


def get_matrix(slug: str) -> MatrixDefinition:
    found = db.session.scalar(select(MatrixDefinition).where(MatrixDefinition.slug == slug))
    if found is None:
        known = ", ".join(m.slug for m in all_matrices()) or "none"
        raise NotFound(f"No matrix called {slug!r}; known matrices: {known}")
    return found


def read_matrix_file(path: str) -> list[dict]:
    """Definitions in riskkit's own format from a YAML/JSON file, converting a
    CISO Assistant risk-matrix library when that is what the file holds."""
    document = read_yaml(path)
    if isinstance(document, dict) and "objects" in document:
        definitions = scoring.from_ciso_assistant(document)
    elif isinstance(document, dict):
        definitions = [document]
    else:
        raise ValidationError(f"{path} does not hold a matrix", field="file")
    for definition in definitions:
        scoring.parse_matrix(definition)  # refuse the whole file if any matrix is wrong
    return definitions


def import_matrix_file(path: str) -> list[MatrixDefinition]:
    """Add every matrix in the file; all or nothing, and never over an existing slug."""
    definitions = read_matrix_file(path)
    for definition in definitions:
        if db.session.scalar(select(MatrixDefinition).where(
                MatrixDefinition.slug == definition["slug"])) is not None:
            raise ValidationError(
                f"A matrix called {definition['slug']!r} already exists", field="slug")
    return [_store(definition) for definition in definitions]


def _store(definition: dict, builtin: bool = False) -> MatrixDefinition:
    matrix = scoring.parse_matrix(definition)
    row = MatrixDefinition(slug=matrix.slug, name=matrix.name, definition=matrix.to_dict(),
                           builtin=builtin)
    db.session.add(row)
    return row


#: What an administrator may change in a band.
BAND_KEYS = ("name", "colour", "colour_name", "min", "max", "review_months")


def save_matrix(by: User, row: MatrixDefinition, name: str, bands: list[dict]) -> MatrixDefinition:
    """Rename a matrix and change its bands (their names, colours, ranges and review
    intervals). A grid-rated matrix's cells follow its bands' new names. The result must
    still give every score (or grid cell) exactly one band, so no risk is left unrated."""
    permissions.require(by, "administer")
    current = row.matrix
    definition = current.to_dict()
    definition["name"] = name
    definition["bands"] = [{key: entry[key] for key in BAND_KEYS} for entry in bands]
    if definition.get("grid"):
        renamed = {old.name: entry["name"] for old, entry in zip(current.bands, bands,
                                                                   strict=False)}
        definition["grid"] = [[renamed.get(c, c) for c in r] for r in definition["grid"]]
    scoring.parse_matrix(definition)
    row.definition, row.name = definition, name
    db.session.flush()
    return row

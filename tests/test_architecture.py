"""The layers keep to their places: services gather and change data and never import a
report renderer (faces hand a service's result to the renderer)."""

import ast
from pathlib import Path

SERVICES = Path(__file__).resolve().parents[1] / "riskkit" / "services"


def test_no_service_imports_a_report_renderer():
    offenders = []
    for path in sorted(SERVICES.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.startswith("riskkit.reports")]
    assert offenders == []

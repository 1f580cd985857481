"""Time `riskkit import` of a 10,000-row workbook laid out as a council keeps its register
(title rows, grouped inherent / residual / target scores, one-cell scores, bulleted
controls and actions), into a new register, on SQLite or PostgreSQL.

    python benchmarks/import_bench.py [--rows 10000] [--database-url URL]

Without --database-url a fresh SQLite file is used; with one, its tables are emptied
first. Prints the wall-clock time and rows per second, the CPU time riskkit's process
spent (the database server's own is not in it; on a busy machine the wall clock is
longer than the CPU time by the wait for a core), and the process's peak resident
memory (which includes Python, Flask and openpyxl themselves).
"""

import argparse
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from riskkit import create_app  # noqa: E402
from riskkit.database import upgrade_database  # noqa: E402
from riskkit.extensions import db  # noqa: E402
from riskkit.services import matrices  # noqa: E402
from riskkit.services.imports.importer import import_file  # noqa: E402
from tests.import_helpers import workbook  # noqa: E402

OWNERS = ["Director of Finance", "Head of ICT", "Director of Adult Social Care", "Head of HR"]


def council_workbook(path: Path, rows: int) -> Path:
    header = [["Corporate Risk Register"], [],
              [None, None, None, "Inherent risk", None, None, "Residual risk", None, None],
              ["Risk Ref", "Risk Title", "Risk Owner", "Likelihood", "Impact", "Score",
               "Likelihood", "Impact", "Score", "Target (L x I)", "Existing Controls",
               "Further Actions", "Due Date", "Last Review"]]
    body = []
    for n in range(1, rows + 1):
        likelihood, impact = 1 + n % 5, 1 + (n // 5) % 5
        body.append([f"CRR-{n:05d}", f"Risk number {n} to the council's services",
                     OWNERS[n % len(OWNERS)], 5, 5, 25, likelihood, impact,
                     f"{likelihood}x{impact}={likelihood * impact}", "1x1=1",
                     "• Business continuity plan\n• Monthly monitoring",
                     "1. Review the plan\n2. Exercise it", "31/03/2025", "07/07/2024"])
    return workbook(path, {"Register": header + body}, {"Register": ["D3:F3", "G3:I3"]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url")
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    url = options.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    file = council_workbook(folder / "register.xlsx", options.rows)
    with app.app_context():
        if options.database_url:
            db.drop_all()
            db.session.execute(db.text("DROP TABLE IF EXISTS alembic_version"))
            db.session.commit()
        upgrade_database()
        matrices.ensure_builtin()
        db.session.commit()
        start, cpu = time.perf_counter(), time.process_time()
        result = import_file(file, register_code="CRR", matrix="council-5x5",
                             as_of=date(2024, 7, 1), create_owners=True)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    assert result.written and not result.problems, result.problems[:5]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{url.split(':')[0]}: {options.rows} rows"
          f" ({file.stat().st_size / 1e6:.1f} MB) in {seconds:.1f} s ({cpu:.1f} s CPU),"
          f" {options.rows / seconds:,.0f} rows/s, peak memory {peak:.0f} MB; {result.summary}")


if __name__ == "__main__":
    main()

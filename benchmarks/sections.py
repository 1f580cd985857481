"""What the benchmarks that each write one section of docs/benchmarks.md share (reports.py,
appendix.py): their options, and putting their section in the page between its markers,
in place of the one there or else at the end."""

import argparse
from pathlib import Path

import run


def options(description: str) -> argparse.Namespace:
    """--repeat (timed runs, default 3), --write PAGE and --database-dir (run.py's cache)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (default 3)")
    parser.add_argument("--write", metavar="PATH", default=None,
                        help="write the section into this markdown page")
    parser.add_argument("--database-dir", default=str(run.BENCHMARKS / "results"),
                        help="where the generated databases are kept (default benchmarks/results)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return args


def write_section(path: str, start: str, end: str, text: str) -> None:
    """Put `text` (which begins with `start` and ends with `end`) into the page."""
    page = Path(path).read_text() if Path(path).exists() else ""
    if start in page:
        page = page.split(start)[0] + text + page.split(end, 1)[1]
    else:
        page = page.rstrip() + "\n\n" + text + "\n"
    Path(path).write_text(page)

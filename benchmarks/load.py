"""A load test at council scale: many people using riskkit at once through a real server.

    python benchmarks/generate.py --risks 10000 --registers 50 --people 300 \\
        --database-url sqlite:///council.sqlite
    python benchmarks/load.py --database-url sqlite:///council.sqlite \\
        [--workers 4] [--users 50] [--seconds 60] [--think 1-5] [--saturation-seconds 30]

Starts gunicorn with --workers processes on loopback on the given (generated) database
and signs in --users simulated people (each with a session of their own, as the
generator's manager). Each person works as people do: opens one of the dashboard (15%),
a page of a register list (25%), a risk page (35%), a register's heat map page (7%) or
its PDF (3%), or records a "no change" review of a random live risk (15%: the review
form, then the save), then reads it for a think time drawn uniformly from --think
seconds (as locust's `between(1, 5)`) before the next. People arrive spread over the
first think time rather than all at once.

Then, unless --saturation-seconds is 0, the same people run as a closed loop (no think
time) for that long: the most the server can answer, the saturation throughput, with the
queueing latency that comes with it.

For each run it prints throughput, median and 95th percentile latency per kind, the number
of 409 conflicts (two people reviewing the same risk at once: expected, counted apart)
and errors (any other 4xx, any 5xx, any failed connection). Exits 1 on any error.

Review saves change the database: use a copy you can throw away.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

import requests
from sqlalchemy import create_engine, text

BENCHMARKS = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))
from generate import BENCH_EMAIL, BENCH_PASSWORD  # noqa: E402

from tests.live_server import free_port, hidden_fields  # noqa: E402

MIX = (("dashboard", 15), ("register list", 25), ("risk page", 35), ("heat map", 7),
       ("heat map PDF", 3), ("review save", 15))


def selected(html: str, name: str) -> str:
    """The chosen option of the select called `name`, as a browser would post it."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    chosen = select and re.search(r'<option value="([^"]*)" selected', select.group(0))
    return chosen.group(1) if chosen else ""


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, status: int | str) -> None:
        with self.lock:
            if status == 409:
                self.conflicts += 1
            elif not isinstance(status, int) or status >= 400:
                self.errors.append(f"{kind}: {status}")
            else:
                self.latencies[kind].append(seconds)


def start_server(database_url: str, workers: int) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "RISKKIT_DATABASE_URL": database_url,
           "RISKKIT_SECRET_KEY": "load-test-only", "RISKKIT_LOG_LEVEL": "WARNING"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", "riskkit:create_app()"], env=env)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/login", timeout=2).status_code == 200:
                return server, url
        except requests.RequestException:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


def sign_in(url: str) -> requests.Session:
    client = requests.Session()
    form = hidden_fields(client.get(f"{url}/login", timeout=10).text)
    answer = client.post(f"{url}/login", timeout=30,
                         data={**form, "email": BENCH_EMAIL, "password": BENCH_PASSWORD})
    if "rk-signed-in" not in answer.text:
        raise SystemExit(f"could not sign in as {BENCH_EMAIL}")
    return client


def pause(rng: random.Random, think: tuple[float, float], deadline: float,
          low: float | None = None) -> None:
    """A person reading the page: a think time drawn from `think` (none in a closed loop),
    cut short at the end of the run."""
    if think[1] > 0:
        seconds = rng.uniform(think[0] if low is None else low, think[1])
        time.sleep(max(0.0, min(seconds, deadline - time.monotonic())))


def simulated_user(url: str, client: requests.Session, references: list[str],
                   registers: list[str], deadline: float, tally: Tally, seed: int,
                   think: tuple[float, float]) -> None:
    rng = random.Random(seed)
    kinds, weights = zip(*MIX, strict=True)
    pause(rng, think, deadline, low=0.0)  # arrivals spread over the first think time
    while time.monotonic() < deadline:
        kind = rng.choices(kinds, weights)[0]
        started = time.perf_counter()
        try:
            if kind == "dashboard":
                status = client.get(f"{url}/", timeout=60).status_code
            elif kind == "register list":
                status = client.get(f"{url}/risks", timeout=60, params={
                    "register": rng.choice(registers), "page": rng.randint(1, 3)}).status_code
            elif kind == "risk page":
                status = client.get(f"{url}/risks/{rng.choice(references)}", timeout=60).status_code
            elif kind == "heat map":
                status = client.get(f"{url}/heatmap", timeout=60,
                                    params={"register": rng.choice(registers)}).status_code
            elif kind == "heat map PDF":
                status = client.get(f"{url}/heatmap.pdf", timeout=60,
                                    params={"register": rng.choice(registers)}).status_code
            else:
                reference = rng.choice(references)
                page = client.get(f"{url}/risks/{reference}/review", timeout=60)
                form = hidden_fields(page.text)
                today = time.strftime("%d %m %Y").split()
                saved = client.post(f"{url}/risks/{reference}/review", timeout=60, data={
                    **form, "reviewed_on": today, "comment": "Reviewed at the load test",
                    "likelihood": selected(page.text, "likelihood"),
                    "impact": selected(page.text, "impact"),
                    "no_change": "Reviewed: no change"}, allow_redirects=False)
                status = 200 if saved.status_code in (200, 302) and page.ok else saved.status_code
        except requests.RequestException as error:
            status = type(error).__name__
        tally.add(kind, time.perf_counter() - started, status)
        pause(rng, think, deadline)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def describe_think(think: tuple[float, float]) -> str:
    if think[1] <= 0:
        return "closed loop (no think time)"
    return f"think time {think[0]:g}-{think[1]:g} s (uniform)"


def report(tally: Tally, seconds: float, workers: int, users: int, database: str,
           think: tuple[float, float]) -> str:
    everything = [v for values in tally.latencies.values() for v in values]
    lines = [f"{users} users, {workers} gunicorn workers, {seconds:.0f} s, {database},"
             f" {describe_think(think)}",
             "", "| request | count | median ms | p95 ms |", "|---|---:|---:|---:|"]
    for kind, _ in MIX:
        values = tally.latencies.get(kind, [])
        if values:
            lines.append(f"| {kind} | {len(values)} | {median(values) * 1000:.0f}"
                         f" | {percentile(values, 0.95) * 1000:.0f} |")
    if everything:
        lines.append(f"| all | {len(everything)} | {median(everything) * 1000:.0f}"
                     f" | {percentile(everything, 0.95) * 1000:.0f} |")
    lines += ["", f"Throughput {len(everything) / seconds:.1f} requests/s"
              f" ({'saturation' if think[1] <= 0 else 'at this think time'});"
              f" {tally.conflicts} conflicts (409); {len(tally.errors)} errors"]
    if tally.errors:
        lines.append("Errors: " + ", ".join(sorted(set(tally.errors))[:10]))
    return "\n".join(lines)


def think_range(text: str) -> tuple[float, float]:
    """'1-5' -> (1.0, 5.0); '0' -> a closed loop."""
    low, _, high = text.partition("-")
    try:
        think = (float(low), float(high or low))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not MIN-MAX seconds, such as 1-5") from None
    if not 0 <= think[0] <= think[1]:
        raise argparse.ArgumentTypeError(f"{text!r}: MIN-MAX seconds with 0 <= MIN <= MAX")
    return think


def run(url: str, clients: list[requests.Session], references: list[str],
        registers: list[str], seconds: float, think: tuple[float, float]) -> tuple[Tally, float]:
    """Every simulated person at once for `seconds`: what they got, and how long it took."""
    tally = Tally()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=simulated_user, args=(
        url, client, references, registers, deadline, tally, n, think))
        for n, client in enumerate(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally, time.monotonic() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=think_range, default=(1.0, 5.0),
                        help="seconds each person reads a page, MIN-MAX (default 1-5; 0: none)")
    parser.add_argument("--saturation-seconds", type=float, default=30,
                        help="then a closed loop for this long (default 30; 0: skip it)")
    args = parser.parse_args(argv)
    engine = create_engine(args.database_url)
    with engine.connect() as connection:
        references = list(connection.scalars(text(
            "SELECT reference FROM risks WHERE status IN ('open', 'escalated')")))
        registers = list(connection.scalars(text("SELECT code FROM registers")))
    engine.dispose()
    database = engine.url.get_backend_name()
    runs = [(args.seconds, args.think)]
    if args.saturation_seconds > 0 and args.think[1] > 0:
        runs.append((args.saturation_seconds, (0.0, 0.0)))
    server, url = start_server(args.database_url, args.workers)
    errors = 0
    try:
        clients = [sign_in(url) for _ in range(args.users)]
        for seconds, think in runs:
            load = " / ".join(f"{n:.1f}" for n in os.getloadavg())
            tally, elapsed = run(url, clients, references, registers, seconds, think)
            print(report(tally, elapsed, args.workers, args.users, database, think))
            print(f"Load average (1 / 5 / 15 minutes) at the start: {load}\n")
            errors += len(tally.errors)
        return 1 if errors else 0
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())

"""A real `riskkit serve` on the test's own database, for tests that need a running
server: many clients at once, a process killed mid-write, the database going away.

The server is started on whatever database the `app` fixture made (a SQLite file copy,
or the PostgreSQL test database), so a test builds its data with tests/factories.py,
commits, and then drives the server over HTTP with `requests`, one session per client.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
RISKKIT = Path(sys.executable).with_name("riskkit")
STARTUP_SECONDS = 30
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def hidden_fields(html: str) -> dict[str, str]:
    """The hidden inputs of a page's forms (CSRF token, version, opened at), as a browser
    would post them back."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", html):
        if 'type="hidden"' in tag and (name := re.search(r'name="([^"]+)"', tag)):
            value = re.search(r'value="([^"]*)"', tag)
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    if match is None:
        raise AssertionError("the page has no form with a CSRF token")
    return match.group(1)


@dataclass
class LiveServer:
    """One `riskkit serve` process. `url` is its base URL, `env` its environment (run
    `riskkit` commands on the same database with it), `log` its output."""

    database_url: str
    folder: Path
    extra_env: dict = field(default_factory=dict)
    serve_args: tuple[str, ...] = ()  # more options for `riskkit serve`, such as --workers
    url: str = ""
    process: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "RISKKIT_TEST_DATABASE_URL"}
        env.update(RISKKIT_DATABASE_URL=self.database_url, RISKKIT_SECRET_KEY="live-tests-only")
        env.update(self.extra_env)
        return env

    @property
    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text() if path.exists() else ""

    def start(self) -> LiveServer:
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = open(self.folder / "server.log", "a")  # noqa: SIM115 (closed with the process)
        self.process = subprocess.Popen(
            [str(RISKKIT), "serve", "--host", "127.0.0.1", "--port", str(port), *self.serve_args],
            env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if requests.get(f"{self.url}/login", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise AssertionError(f"riskkit serve did not answer on {self.url}:\n{self.log}")
            time.sleep(0.1)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: no chance to finish or roll back anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def cli(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        """`riskkit ARGS` on the server's database."""
        return subprocess.run([str(RISKKIT), *args], env=self.env, cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)

    def session(self, email: str, password: str) -> requests.Session:
        """A client signed in as this user (a fresh cookie jar per call)."""
        client = requests.Session()
        page = client.get(f"{self.url}/login", timeout=10)
        answer = client.post(f"{self.url}/login", timeout=30, data={
            "csrf_token": csrf_token(page.text), "email": email, "password": password})
        if "rk-signed-in" not in answer.text:
            raise AssertionError(f"could not sign in as {email}: {answer.status_code}")
        return client

"""Browser fixtures: one riskkit server per session, driven by a real Chromium.

The server is `riskkit serve` (waitress) run as a subprocess on a free loopback port,
on its own SQLite file in a temporary folder loaded with `riskkit demo`. It always uses
SQLite, even when RISKKIT_TEST_DATABASE_URL points the rest of the suite at PostgreSQL:
these tests check the pages, not the database.

Chromium is Debian's (/usr/bin/chromium), headless, with the network features that would
try to reach outside turned off.

Screenshots: every page a test visits is saved as a full-page PNG in the folder named by
the RISKKIT_SCREENSHOTS environment variable, or by default in test-artifacts/screenshots/
at the root of the checkout (gitignored), as <test name>-<nn>-<step>.png.
"""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
RISKKIT = Path(sys.executable).with_name("riskkit")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "riskkit-demo"
USERS = {
    "manager": ("richard.smith@example.gov.uk", "Richard Smith"),
    "resilience": ("wayne.gough@example.gov.uk", "Wayne Gough"),
    "owner": ("chris.mckenzie@example.gov.uk", "Chris McKenzie"),
    "viewer": ("clerk@example.gov.uk", "Committee Clerk"),
    "admin": ("admin@example.gov.uk", "Risk Admin"),
}
STARTUP_SECONDS = 30


def screenshot_dir() -> Path:
    return Path(os.environ.get("RISKKIT_SCREENSHOTS") or ROOT / "test-artifacts" / "screenshots")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


#: The server's environment, so a test can run `riskkit` commands on the server's database.
SERVER_ENV: dict[str, str] = {}


@pytest.fixture(scope="session")
def riskkit_server(tmp_path_factory):
    """Base URL of a riskkit server on the demo data, stopped at the end of the session."""
    folder = tmp_path_factory.mktemp("browser-server")
    env = {key: value for key, value in os.environ.items()
           if key not in ("RISKKIT_TEST_DATABASE_URL",)}
    env.update(RISKKIT_DATABASE_URL=f"sqlite:///{folder / 'riskkit.sqlite'}",
               RISKKIT_SECRET_KEY="browser-tests-only")
    SERVER_ENV.update(env)
    demo = subprocess.run([str(RISKKIT), "demo"], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    if demo.returncode != 0:
        pytest.fail(f"riskkit demo failed ({demo.returncode}):\n{demo.stdout}\n{demo.stderr}")

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}"
    log_path = folder / "server.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [str(RISKKIT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while not _answers(f"{base_url}/login"):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"riskkit serve did not answer on {base_url}:\n"
                                + log_path.read_text())
                time.sleep(0.1)
            yield base_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


@pytest.fixture
def riskkit_cli(riskkit_server):
    """riskkit_cli(*args) -> the CompletedProcess of `riskkit ARGS` on the server's database."""
    def _run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(RISKKIT), *args], env=SERVER_ENV, cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    return _run


@pytest.fixture(scope="session")
def base_url(riskkit_server):
    """pytest-playwright gives every context this base URL, so tests goto("/risks")."""
    return riskkit_server


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package")
    return {"executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture
def snap(request):
    """snap(page, step): save a full-page screenshot of what the page shows now."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    callspec = getattr(request.node, "callspec", None)
    params = [part for part in (callspec.id.split("-") if callspec else [])
              if part != "chromium"]
    test = "-".join([request.node.originalname, *params])
    count = 0

    def _snap(page: Page, step: str) -> Path:
        nonlocal count
        count += 1
        path = folder / f"{test}-{count:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _snap


@pytest.fixture
def signed_in(new_context, snap):
    """signed_in(role) -> a page in a fresh browser context, signed in as the demo user
    with that role (manager, resilience, owner, viewer or admin), on the page sign-in leads to.

    At the end of the test, any script error on a page, or any stylesheet, script, font
    or image that failed to load, is an error."""
    problems: list[str] = []

    def _failed(request) -> None:
        # ERR_ABORTED is a load cut short by the next navigation (a favicon, say): normal.
        if "ERR_ABORTED" not in (request.failure or ""):
            problems.append(f"{request.url} failed: {request.failure}")

    def _answered(response) -> None:
        # Pages may answer 4xx on purpose (the 403 test); their assets may not.
        if response.status >= 400 and response.request.resource_type != "document":
            problems.append(f"{response.url} answered {response.status}")

    def _watch(page: Page) -> None:
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        page.on("requestfailed", _failed)
        page.on("response", _answered)

    def _signed_in(role: str) -> Page:
        email, name = USERS[role]
        context = new_context()
        context.set_default_timeout(10_000)
        page = context.new_page()
        _watch(page)
        page.goto("/login")
        snap(page, f"{role}-login")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".rk-signed-in")).to_have_text(name)
        return page

    yield _signed_in
    assert not problems, "the pages had problems:\n" + "\n".join(problems)

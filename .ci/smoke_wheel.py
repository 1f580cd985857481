"""Smoke test of an installed wheel, run with the Python of a fresh virtual environment
outside the checkout (see .ci/smoke-wheel): load the demo, serve it, sign in, read a risk
page, the heat map PDF and a scenario pack, and run `riskkit overdue`. Standard library
only, because the virtual environment holds riskkit and its own dependencies alone."""

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

RISKKIT = str(Path(sys.executable).with_name("riskkit"))
EMAIL, PASSWORD = "richard.smith@example.gov.uk", "riskkit-demo"


def run(*args: str, env: dict | None = None) -> str:
    result = subprocess.run([RISKKIT, *args], capture_output=True, text=True, timeout=300,
                            env=env)
    if result.returncode not in (0, 1) or "Traceback" in result.stderr:
        sys.exit(f"riskkit {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    print(f"$ riskkit {' '.join(args)}\n{result.stdout.strip()[:600]}")
    return result.stdout


def main() -> None:
    import riskkit

    package = Path(riskkit.__file__).parent
    assert "site-packages" in str(package), f"riskkit imported from {package}, not the wheel"
    # Without RISKKIT_DATA_DIR an installed riskkit keeps its data in the user's data
    # folder, never inside the virtual environment.
    home = Path.cwd() / "home"
    env = {k: v for k, v in os.environ.items() if k != "RISKKIT_DATA_DIR"}
    out = run("init", env={**env, "HOME": str(home)})
    expected = home / ".local" / "share" / "riskkit"
    assert f"Data directory: {expected}" in out and (expected / "riskkit.sqlite").is_file(), out

    data = Path(os.environ["RISKKIT_DATA_DIR"])
    out = run("demo")
    assert f"Data directory: {data}" in out, out
    assert (data / "riskkit.sqlite").is_file(), "the database is not in RISKKIT_DATA_DIR"
    assert "power-outage" in run("exercises", "packs")
    assert "AH00" in run("overdue", "--as-of", "2021-12-31")

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([RISKKIT, "serve", "--port", str(port)])
    try:
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        for _ in range(100):
            try:
                login = browser.open(f"{base}/login", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.2)
        else:
            sys.exit("riskkit serve did not answer")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
        form = urllib.parse.urlencode({"csrf_token": token, "email": EMAIL, "password": PASSWORD})
        home = browser.open(f"{base}/login", data=form.encode(), timeout=30).read().decode()
        assert "Richard Smith" in home, "sign-in failed"
        risk = browser.open(f"{base}/risks/AH0011", timeout=30).read().decode()
        assert "AH0011" in risk, "risk page"
        pdf = browser.open(f"{base}/heatmap.pdf?register=AH", timeout=60).read()
        assert pdf.startswith(b"%PDF"), "heat map PDF"
        pack = browser.open(f"{base}/exercises/new?pack=power-outage", timeout=30).read().decode()
        assert "Power" in pack, "scenario pack page"
        print(f"served from the wheel: sign-in, AH0011, heat map PDF ({len(pdf)} bytes), pack page")
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()

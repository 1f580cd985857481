"""The web face. Until the pages arrive it serves one placeholder page."""

from flask import Flask


def init_app(app: Flask) -> None:
    @app.get("/")
    def index():
        return "riskkit is running. The register pages are coming in the next release."

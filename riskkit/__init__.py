"""riskkit: a risk register and resilience-exercise toolkit."""

import os

from flask import Flask

from riskkit import config as config_module
from riskkit import logs
from riskkit.config import PROJECT_ROOT

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides defaults and the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_url_path="/assets",  # GOV.UK Frontend's CSS refers to /assets/...
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.load(app.instance_path, config))
    logs.configure(app.config["LOG_LEVEL"])  # before Flask would add a handler of its own

    from riskkit import database, web
    from riskkit.commands import init_app as init_commands

    database.init_app(app)
    web.init_app(app)
    init_commands(app)
    return app

"""riskkit: a risk register and resilience-exercise toolkit."""

import os

from flask import Flask

from riskkit import config as config_module
from riskkit import resources

__version__ = "0.1.0"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. `config` overrides defaults and the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(config_module.data_dir()),
        instance_relative_config=True,
        template_folder=str(resources.folder("templates")),
        static_url_path="/assets",  # GOV.UK Frontend's CSS refers to /assets/...
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(config_module.load(app.instance_path, config))

    from riskkit import database, web
    from riskkit.commands import init_app as init_commands

    database.init_app(app)
    web.init_app(app)
    init_commands(app)
    return app

"""riskkit: a risk register and resilience-exercise toolkit."""

__version__ = "0.1.0"


def create_app(config: dict | None = None, web: bool = True):
    """Build the app from the RISKKIT_* settings (read and checked here, once: a bad one
    raises SettingError naming it). `config` overrides Flask config keys (tests use it).
    Without `web`, the app has no pages (no blueprints, sign-in or forms): what a command
    that serves none needs, and quicker to start. Flask and the rest are imported here,
    not when riskkit is: `riskkit --help` needs only the version and the commands."""
    import os

    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from riskkit import config as config_module
    from riskkit import logs, resources

    settings = config_module.from_environment()
    app = Flask(
        __name__,
        instance_path=str(settings.data_dir),
        instance_relative_config=True,
        template_folder=str(resources.folder("templates")),
        static_url_path="/assets",  # GOV.UK Frontend's CSS refers to /assets/...
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.update(settings.flask_config())
    app.config.update(config or {})
    logs.configure(app.config["LOG_LEVEL"])  # before Flask would add a handler of its own
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config_module.secret_key(settings)
    if settings.proxy_hops:
        # Trust X-Forwarded-For/-Proto/-Host/-Prefix from this many proxies, and no more:
        # the client's address (sign-in throttling, logs) and https come from them.
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)

    from riskkit import database
    from riskkit.commands import init_app as init_commands

    database.init_app(app)
    if web:
        from riskkit import web as face

        face.init_app(app)
    init_commands(app)
    return app

"""The JSON API under /api/v1: for Power BI, SharePoint and partners' systems. Each
request is made with a personal access token (api.auth), never a session cookie; the
same services and permission rules as the web pages answer it; errors are problem
details (api.problems). The OpenAPI description at /api/v1/openapi.json is generated
from the routes and schemas (flask-smorest), and /api/v1/ shows it as a page."""

from riskkit.api.problems import PREFIX

__all__ = ["PREFIX", "init_app"]


def init_app(app, csrf) -> None:
    """Wire the API's blueprints into an app that has the web face (its error handlers
    answer the API's errors as problems); `csrf` exempts them: a token is not a cookie."""
    from flask_smorest import Api

    from riskkit.api import (
        events,
        history,
        indicators,
        items,
        lessons,
        reference,
        registers,
        risks,
    )
    from riskkit.api.problems import CONTENT_TYPE
    from riskkit.api.schemas import Problem

    class RiskkitApi(Api):
        ERROR_SCHEMA = Problem

        def _register_error_handlers(self):
            """None: web.errors answers every error, under PREFIX as problem details."""

        def _register_responses(self):
            super()._register_responses()
            # Errors are problem details, not the JSON the answers are.
            components = self.spec.components
            for response in [*components.responses_lazy.values(), *components.responses.values()]:
                content = response.get("content", {})
                if "application/json" in content:
                    content[CONTENT_TYPE] = content.pop("application/json")

    app.config.update({
        "API_TITLE": "riskkit API", "API_VERSION": "v1", "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": PREFIX, "OPENAPI_JSON_PATH": "openapi.json",
        "API_SPEC_OPTIONS": {
            "info": {"description": "The risk register for programs: see the API reference page."},
            "security": [{"token": []}],
            "components": {"securitySchemes": {"token": {
                "type": "http", "scheme": "bearer",
                "description": "A personal access token (rk_...), made on your account page"}}},
        },
    })
    api = RiskkitApi(app)
    for blueprint in (registers.blp, risks.blp, items.blp, events.blp, lessons.blp, history.blp,
                      indicators.blp):
        csrf.exempt(blueprint)
        api.register_blueprint(blueprint, url_prefix=PREFIX)
    csrf.exempt(reference.bp)
    app.register_blueprint(reference.bp, url_prefix=PREFIX)
    app.extensions["riskkit-api"] = api

"""Page templates (Jinja), shipped inside the package as riskkit.templates (see pyproject.toml)."""

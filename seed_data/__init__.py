"""The demo organisation's data, shipped inside the package as riskkit.seed_data (see pyproject.toml)."""

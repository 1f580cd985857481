"""Exercise scenario packs, shipped inside the package as riskkit.exercises (see pyproject.toml)."""

"""Run riskkit from a checkout: `python cli.py COMMAND` behaves as `riskkit COMMAND`."""

from riskkit.cli import main

if __name__ == "__main__":
    main()

"""(placeholder: filled in by the reports work)"""

COMMANDS: list = []

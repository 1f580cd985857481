"""Errors a user can cause and fix. Faces turn these into a form error, a 4xx page
or one line on stderr; anything else is a bug and is allowed to surface."""


class RiskkitError(Exception):
    """Base class: the message is written for the person who caused it."""


class ValidationError(RiskkitError):
    """A value was refused. `field` names what was wrong, for forms and imports."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class NotFound(RiskkitError):
    """A reference, code or name that does not exist."""


class Conflict(RiskkitError):
    """Someone else saved the same record since it was read (optimistic locking)."""

    def __init__(self, message: str, changes: list | None = None):
        super().__init__(message)
        self.changes = changes or []


class PermissionDenied(RiskkitError):
    """The acting user's role does not allow this."""


class SettingError(RiskkitError):
    """A RISKKIT_* setting riskkit cannot use, found when it starts. `setting` names it."""

    def __init__(self, message: str, setting: str):
        super().__init__(message)
        self.setting = setting

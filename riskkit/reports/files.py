"""Writing report files safely: never a half-written file at the destination."""

import os
import tempfile
from pathlib import Path

from riskkit.errors import ValidationError


def write_atomically(path: str | os.PathLike, data: bytes) -> Path:
    """Write to a temporary file beside `path`, then rename it into place."""
    target = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.")
    except OSError as error:
        raise ValidationError(f"Cannot write {target}: {error.strerror}", field="file") from None
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        # mkstemp makes the file private; a report gets the permissions any new file would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)
        os.replace(temporary, target)
    except OSError as error:
        Path(temporary).unlink(missing_ok=True)
        raise ValidationError(f"Cannot write {target}: {error.strerror}", field="file") from None
    return target

"""The signing secret of a demo deployment, made once per data directory.

Every process serving one data directory (a second `yidi serve --demo` beside the first,
or the workers of one) reads the same secret, so each accepts the others' tokens; and no
secret lives in the source, where anyone could sign tokens for every demo.
"""

import os
import secrets
from pathlib import Path

FILE_NAME = "demo-secret"


def demo_secret(data_dir: Path) -> str:
    """The secret stored in `data_dir`, created (readable by its owner only) if missing."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / FILE_NAME
    if not path.exists():
        # Written whole under a temporary name, then linked into place: a process racing
        # this one either wins the link or reads a complete secret, never a partial one.
        draft = data_dir / f".{FILE_NAME}.{secrets.token_hex(8)}"
        draft.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text(encoding="utf-8").strip()

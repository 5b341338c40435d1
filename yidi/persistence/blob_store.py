"""Where attachment bytes live: a content-addressed store behind a small interface.

Blobs are named by their sha256, so the same file attached twice is stored once, a blob
is never rewritten, and a name says whether the bytes are intact. The filesystem store
serves one host or a shared volume; an object store (S3, OSS, MinIO) is another class
with the same three methods.
"""

import asyncio
import os
import re
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Protocol

CHUNK = 64 * 1024
_DIGEST = re.compile(r"[0-9a-f]{64}")


class BlobStore(Protocol):
    async def put(self, sha256: str, content: bytes) -> None:
        """Store `content` under its digest; storing what is already there is a no-op."""

    async def has(self, sha256: str) -> bool: ...

    def read(self, sha256: str) -> AsyncIterator[bytes]:
        """The blob's bytes in chunks (FileNotFoundError when there is none)."""
        ...


class FileSystemBlobStore:
    """Blobs as files `<root>/ab/cd/abcd…`: two levels of fan-out keep directories small."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if not _DIGEST.fullmatch(sha256):
            raise ValueError("not a sha256 digest")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    async def put(self, sha256: str, content: bytes) -> None:
        await asyncio.to_thread(self._put, self.path(sha256), content)

    @staticmethod
    def _put(target: Path, content: bytes) -> None:
        if target.exists() and target.stat().st_size == len(content):
            return  # content-addressed: the same digest is the same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed into place, so no reader ever sees half a blob, and two
        # writers of the same file both end with the one whole file.
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(content)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def has(self, sha256: str) -> bool:
        return await asyncio.to_thread(self.path(sha256).is_file)

    async def read(self, sha256: str) -> AsyncIterator[bytes]:
        handle = await asyncio.to_thread(self.path(sha256).open, "rb")
        try:
            while chunk := await asyncio.to_thread(handle.read, CHUNK):
                yield chunk
        finally:
            handle.close()

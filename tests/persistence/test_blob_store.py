"""The filesystem blob store on a real directory: content-addressed, written whole or not at
all, safe when the same file arrives twice at once."""

import asyncio
import hashlib
from pathlib import Path

import pytest

from yidi.persistence.blob_store import CHUNK, FileSystemBlobStore


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def read_all(store: FileSystemBlobStore, sha: str) -> bytes:
    return b"".join([chunk async for chunk in store.read(sha)])


async def test_a_blob_round_trips_in_chunks(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path)
    content = bytes(range(256)) * (CHUNK // 100)  # several chunks
    sha = digest(content)
    assert not await store.has(sha)
    await store.put(sha, content)
    assert await store.has(sha)
    assert await read_all(store, sha) == content
    assert store.path(sha) == tmp_path / sha[:2] / sha[2:4] / sha


async def test_the_same_content_at_once_is_one_whole_file(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path)
    content = b"%PDF-1.4 " * 50_000
    sha = digest(content)
    await asyncio.gather(*(store.put(sha, content) for _ in range(8)))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [store.path(sha)]
    assert store.path(sha).read_bytes() == content


async def test_a_missing_blob_is_not_found(tmp_path: Path) -> None:
    store = FileSystemBlobStore(tmp_path)
    with pytest.raises(FileNotFoundError):
        await read_all(store, digest(b"never stored"))


@pytest.mark.parametrize("name", ["../../etc/passwd", "ABC", "a" * 63, "g" * 64, ""])
def test_only_a_sha256_names_a_blob(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match="sha256"):
        FileSystemBlobStore(tmp_path).path(name)

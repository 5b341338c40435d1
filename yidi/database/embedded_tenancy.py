"""Who is using the embedded PostgreSQL of a data directory, so the last `yidi serve` to
leave stops it (and a second one beside a running one does not).

Each serving process holds an exclusive `flock` on a file of its own under
`<data dir>/serving/`. The operating system drops the lock when the process ends, however it
ends, so a file whose lock can be taken belongs to a process that is gone.
"""

import contextlib
import fcntl
import os
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO


@dataclass
class Tenancy:
    data_dir: Path
    file: IO[str]

    @property
    def path(self) -> Path:
        return Path(self.file.name)


def _serving_dir(data_dir: Path) -> Path:
    return data_dir.expanduser().resolve() / "serving"


@contextlib.contextmanager
def _guarded(data_dir: Path) -> Iterator[Path]:
    """Registering, and checking-then-stopping, never interleave: a process starting up
    either is seen by the one leaving, or finds the server stopped and starts it."""
    directory = _serving_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".guard").open("w") as guard:
        fcntl.flock(guard, fcntl.LOCK_EX)
        yield directory


def move_in(data_dir: Path) -> Tenancy:
    """Register this process as a user of the data directory's embedded PostgreSQL
    (before starting or reusing it)."""
    with _guarded(data_dir) as directory:
        handle = (directory / f"{os.getpid()}.lock").open("w")
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return Tenancy(data_dir, handle)


def others_present(data_dir: Path) -> bool:
    """Whether another live process is registered (stale files are removed on the way)."""
    present = False
    for path in _serving_dir(data_dir).glob("*.lock"):
        with path.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                present = True
                continue
            path.unlink(missing_ok=True)  # its process is gone
    return present


def move_out(tenancy: Tenancy) -> bool:
    """Unregister; stop the embedded PostgreSQL when no other process uses it. Whether it
    was stopped."""
    with _guarded(tenancy.data_dir):
        tenancy.path.unlink(missing_ok=True)
        tenancy.file.close()
        if others_present(tenancy.data_dir):
            return False
        return stop_postgres(tenancy.data_dir)


def stop_postgres(data_dir: Path, timeout: float = 30.0) -> bool:
    """Fast shutdown of the data directory's embedded PostgreSQL (SIGINT to the postmaster,
    as pg_ctl would send, which refuses to run as root). Whether one was running."""
    pidfile = data_dir.expanduser().resolve() / "pgdata" / "postmaster.pid"
    try:
        pid = int(pidfile.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    try:
        os.kill(pid, signal.SIGINT)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)  # reap it if this process started it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    raise TimeoutError(f"PostgreSQL (pid {pid}) did not stop within {timeout:.0f} s")

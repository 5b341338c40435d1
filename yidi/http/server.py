"""uvicorn as `yidi serve` runs it: one process, or several sharing the port.

On shutdown uvicorn closes every WebSocket at once (1012, "service restart"). A single
process first completes each live subscription (the protocol's `complete` message), so a
client knows its stream ended on purpose. uvicorn's worker processes build their own
server, so under `--workers` clients see the 1012 close alone; either way they resume
elsewhere with their last cursor (docs/SUBSCRIPTIONS.md).
"""

import gc
import logging
import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from yidi.live.hub import LiveEvents

# Python's collector scans the young generation every 700 net allocations by default. A
# process holding thousands of live subscriptions allocates a lot per delivered event and
# keeps a lot alive, so it spent a large share of its CPU re-scanning the same objects
# (docs/BENCHMARKS.md, "Live updates"). Collect less often, and never scan what start-up
# built (modules, the schema, the policy tables).
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collector() -> None:
    """For a serving process only, once its application is built."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class YidiServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await LiveEvents.complete_all()
        await super().shutdown(sockets)


class PortShare(socket.socket):
    """The serving port as uvicorn's supervisor hands it to each worker it starts: a socket
    of the worker's own, in the port's SO_REUSEPORT group.

    Workers sharing one listening socket each accept whatever connections are pending when
    their loop wakes, so keep-alive connections opened while all are idle (a proxy's
    upstream pool) mostly land on the one that wakes first: under bench/register.py one of
    two workers served ≈ 90 % of the requests, at a full core, while the other idled. With
    a socket per worker the kernel spreads connections by a hash of their addresses.

    The supervisor pickles its sockets into every worker it starts, restarts included;
    this one unpickles there as a new socket bound to the same port, and it closes with its
    worker, so a dead worker's share goes to the others until its replacement binds again.
    The supervisor's own socket is bound and never listens: it holds the port and receives
    no connections. (Any socket of the same user with SO_REUSEPORT could join the group, a
    second `yidi serve` on the port included: `_worker_sockets` first makes sure the port is
    free.)
    """

    def __reduce__(self) -> tuple[object, tuple[int, str, int]]:
        host, port = self.getsockname()[:2]
        return (_port_share, (self.family, host, port))


def _port_share(family: int, host: str, port: int) -> socket.socket:
    share = PortShare(family, socket.SOCK_STREAM)
    share.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    share.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    share.bind((host, port))
    share.set_inheritable(True)
    return share


def _worker_sockets(config: uvicorn.Config) -> list[socket.socket]:
    if not hasattr(socket, "SO_REUSEPORT"):  # not Linux or a BSD: one shared socket
        return [config.bind_socket()]
    family = socket.AF_INET6 if ":" in config.host else socket.AF_INET
    try:
        # A plain bind fails where anything listens already, a group of SO_REUSEPORT
        # sockets too (which the share's own bind would join).
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((config.host, config.port))
            port = probe.getsockname()[1]
        return [_port_share(family, config.host, port)]
    except OSError as exc:  # as uvicorn answers a port it cannot bind: a line, no trace
        logging.getLogger("uvicorn.error").error(exc)
        raise SystemExit(1) from None


def run(config: uvicorn.Config) -> None:
    """Serve; a factory app (`--workers`) tunes the collector in each worker itself."""
    if config.workers > 1:
        Multiprocess(config, sockets=_worker_sockets(config)).run()
    else:
        tune_garbage_collector()
        YidiServer(config).run()

"""uvicorn as `yidi serve` runs it: one process, or several sharing the port.

On shutdown uvicorn closes every WebSocket at once (1012, "service restart"). A single
process first completes each live subscription (the protocol's `complete` message), so a
client knows its stream ended on purpose. uvicorn's worker processes build their own
server, so under `--workers` clients see the 1012 close alone; either way they resume
elsewhere with their last cursor (docs/SUBSCRIPTIONS.md).
"""

import gc
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


def run(config: uvicorn.Config) -> None:
    """Serve; a factory app (`--workers`) tunes the collector in each worker itself."""
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        tune_garbage_collector()
        YidiServer(config).run()

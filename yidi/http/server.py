"""uvicorn as `yidi serve` runs it: one process, or several sharing the port.

On shutdown uvicorn closes every WebSocket at once (1012, "service restart"). A single
process first completes each live subscription (the protocol's `complete` message), so a
client knows its stream ended on purpose. uvicorn's worker processes build their own
server, so under `--workers` clients see the 1012 close alone; either way they resume
elsewhere with their last cursor (docs/SUBSCRIPTIONS.md).
"""

import socket

import uvicorn
from uvicorn.supervisors import Multiprocess

from yidi.live.hub import LiveEvents


class YidiServer(uvicorn.Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        await LiveEvents.complete_all()
        await super().shutdown(sockets)


def run(config: uvicorn.Config) -> None:
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        YidiServer(config).run()

"""Local ports for servers a test starts itself."""

import socket

_handed_out: set[int] = set()


def free_port() -> int:
    """A TCP port nobody listens on right now (the OS's pick), and never one handed out
    before in this run: ports picked in a row, before any server binds them, would
    otherwise now and then be the same one (two services then share a port)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _handed_out:
            _handed_out.add(port)
            return port

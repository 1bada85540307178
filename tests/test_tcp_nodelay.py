"""The launcher's server sockets accept connections with Nagle's algorithm off (vae.ui.tcp_nodelay)."""
from __future__ import annotations

import asyncio
import socket

from vae.ui import tcp_nodelay


def _accepted_nodelay(listener: socket.socket) -> int:
    """TCP_NODELAY of the connection asyncio accepts from ``listener`` (as uvicorn serves it)."""
    async def main():
        accepted = asyncio.get_running_loop().create_future()

        def factory():
            class P(asyncio.Protocol):
                def connection_made(self, transport):
                    accepted.set_result(transport.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP,
                                                                                     socket.TCP_NODELAY))
                    transport.close()
            return P()
        server = await asyncio.get_running_loop().create_server(factory, sock=listener)
        port = listener.getsockname()[1]
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        value = await asyncio.wait_for(accepted, 10)
        writer.close()
        server.close()
        return value
    return asyncio.run(main())


def _listener(family=socket.AF_INET) -> socket.socket:
    """A listening socket bound the way Streamlit binds it (socket.socket(family=...): protocol 0)."""
    s = socket.socket(family=family)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    s.setblocking(False)
    return s


def test_a_streamlit_style_socket_keeps_nagle_on_and_as_tcp_turns_it_off():
    assert _accepted_nodelay(_listener()) == 0  # the bug: asyncio skips sockets whose protocol is 0
    fixed = tcp_nodelay.as_tcp(_listener())
    assert fixed.proto == socket.IPPROTO_TCP and not fixed.getblocking()
    assert _accepted_nodelay(fixed) != 0


def test_as_tcp_leaves_other_sockets_alone():
    unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    assert tcp_nodelay.as_tcp(unix) is unix
    unix.close()


def test_install_wraps_streamlits_bind():
    from streamlit.web.server.starlette import starlette_server

    original = starlette_server._bind_socket
    try:
        assert tcp_nodelay.install() and tcp_nodelay.install()  # idempotent
        sock = starlette_server._bind_socket("127.0.0.1", 0, 8)
        assert sock.proto == socket.IPPROTO_TCP and not sock.getblocking()
        assert _accepted_nodelay(sock) != 0
    finally:
        starlette_server._bind_socket = original

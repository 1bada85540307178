"""Streamlit's server sockets without Nagle's algorithm: no 40 ms stall per reused connection.

asyncio turns Nagle's algorithm off (``TCP_NODELAY``) on every TCP connection it accepts, but only when the
socket object says its protocol is TCP (``asyncio.base_events._set_nodelay`` checks
``sock.proto == IPPROTO_TCP``). Streamlit binds its listening socket itself
(``streamlit.web.server.starlette.starlette_server._bind_socket``: ``socket.socket(family=...)``, protocol 0),
and the connections accepted from it inherit protocol 0, so Nagle stays on. A response is written in two
pieces (headers, then body): on a kept-alive connection the second piece then waits for the client's
delayed ACK, about 40 ms on Linux. Measured on this machine with ``curl`` reusing one connection: every
request after the first took 43-44 ms (``/_stcore/health``, a 124-byte script, a component module) against
1-4 ms on a fresh connection. A browser fetches Streamlit's ~60 scripts, the component's modules and bundles
over 6 kept-alive connections, and the websocket's small messages wait the same way.

:func:`install` re-declares the bound socket as TCP (same file descriptor), so asyncio sets ``TCP_NODELAY``
on every accepted connection again. ``vae.ui.serve`` installs it before the server starts.
"""
from __future__ import annotations

import socket


def as_tcp(sock: socket.socket) -> socket.socket:
    """The same listening socket, declared with protocol ``IPPROTO_TCP`` (a TCP/IP socket only; anything
    else is returned unchanged), non-blocking as Streamlit left it."""
    if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM \
            or sock.proto == socket.IPPROTO_TCP:
        return sock
    blocking = sock.getblocking()
    tcp = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    tcp.setblocking(blocking)
    return tcp


def install() -> bool:
    """Make Streamlit's ``_bind_socket`` return :func:`as_tcp` sockets (in this process, before the server
    starts). Returns False, and changes nothing, when this Streamlit binds its sockets differently."""
    try:
        from streamlit.web.server.starlette import starlette_server
    except ImportError:
        return False
    bind = getattr(starlette_server, "_bind_socket", None)
    if bind is None:
        return False
    if getattr(bind, "_vae_tcp_nodelay", False):
        return True

    def bind_tcp(*args, **kwargs):
        return as_tcp(bind(*args, **kwargs))

    bind_tcp._vae_tcp_nodelay = True
    starlette_server._bind_socket = bind_tcp
    return True

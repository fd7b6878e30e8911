"""Responses leave at once: TCP_NODELAY on the server's listening sockets.

Streamlit binds its socket itself (``socket.socket(family)``: protocol number 0), and
asyncio turns Nagle's algorithm off only on sockets whose protocol reads as TCP, so
every connection kept it. uvicorn writes a response's headers and its body
separately; Nagle holds the body back until the headers are acknowledged, and the
browser delays that acknowledgement by 40 ms. On a kept-alive connection each
response took ~44 ms instead of ~1: the ~60 scripts of a first visit come six at a
time, so the page started ~0.4 s late. Connections inherit TCP_NODELAY from the
listening socket they are accepted on (Linux, macOS, Windows).

The socket is bound before the server imports ``serve.py``, and Streamlit keeps it
to itself: it is found among this process's file descriptors.
"""

from __future__ import annotations

import contextlib
import os
import socket
import stat


def _descriptors() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc (macOS): the usual range
        return list(range(3, 1024))


def listening_without_delay() -> int:
    """Sets TCP_NODELAY on every listening TCP socket of this process; how many."""
    count = 0
    for fd in _descriptors():
        with contextlib.suppress(OSError):
            if not stat.S_ISSOCK(os.fstat(fd).st_mode):
                continue
            # a duplicate of the descriptor: the options are the socket's own
            with socket.socket(fileno=os.dup(fd)) as sock:
                if (sock.family in (socket.AF_INET, socket.AF_INET6)
                        and sock.type == socket.SOCK_STREAM
                        and sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN)):
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    count += 1
    return count

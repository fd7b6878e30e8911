"""TCP_NODELAY on the server's listening sockets (playground/no_delay.py).

Without it a kept-alive response waited 40 ms for the browser's delayed ACK
(uvicorn writes headers and body separately), and a first visit's ~60 scripts
arrived ~0.4 s late.
"""

from __future__ import annotations

import http.client
import socket
import statistics
import time
from urllib.parse import urlparse

from playground.no_delay import listening_without_delay


def nodelay(sock: socket.socket) -> int:
    return sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


def test_listening_sockets_and_the_connections_they_accept_send_at_once():
    with socket.socket(socket.AF_INET) as listener:  # as Streamlit binds it: protocol 0
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        with socket.create_connection(listener.getsockname()) as client:
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 0)
            before, _ = listener.accept()
            with before:
                assert nodelay(listener) == 0 and nodelay(before) == 0
                assert listening_without_delay() >= 1
                assert nodelay(listener) == 1
                assert nodelay(client) == 0  # not listening: left as it was
            with socket.create_connection(listener.getsockname()):
                accepted, _ = listener.accept()
                with accepted:
                    assert nodelay(accepted) == 1


def test_sockets_that_do_not_listen_for_tcp_are_left_alone():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.bind(("127.0.0.1", 0))
        listening_without_delay()
        assert udp.getsockopt(socket.SOL_SOCKET, socket.SO_TYPE) == socket.SOCK_DGRAM


def test_the_playground_answers_kept_alive_requests_without_the_40_ms_ack_wait(app_url):
    address = urlparse(app_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        seconds = []
        for _ in range(12):  # one connection, kept alive, as a browser loads its scripts
            started = time.perf_counter()
            connection.request("GET", "/_stcore/health")
            response = connection.getresponse()
            assert response.status == 200 and response.read()
            seconds.append(time.perf_counter() - started)
    finally:
        connection.close()
    # held back by Nagle, each took the receiver's 40 ms delayed-ACK timer (~44 ms)
    assert statistics.median(seconds) < 0.025, seconds

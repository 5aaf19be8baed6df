"""A TCP proxy in front of PostgreSQL that can stop answering, for the client-side deadline tests.

It forwards 127.0.0.1:<port> to the real server until told to black-hole: then it keeps
accepting connections and reading what clients send, and never answers, like a server that is
up but hung. The shared server itself is never touched.
"""

from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        # Black-hole every connection, new and open.
        self.blackholed = threading.Event()
        # Black-hole a connection once its client sends these bytes (e.g. a table's name).
        self.hang_on: bytes | None = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _keep(self, sock: socket.socket) -> None:
        with self.lock:
            self.sockets.append(sock)

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self._keep(client)
            if self.blackholed.is_set():
                threading.Thread(target=self._swallow, args=(client,), daemon=True).start()
                continue
            server = socket.create_connection(self.target)
            self._keep(server)
            hung = threading.Event()
            for source, sink, watch in ((client, server, True), (server, client, False)):
                threading.Thread(
                    target=self._pump, args=(source, sink, hung, watch), daemon=True
                ).start()

    def _swallow(self, sock: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while sock.recv(65536):
                pass

    def _pump(
        self, source: socket.socket, sink: socket.socket, hung: threading.Event, watch: bool
    ) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                if watch and self.hang_on is not None and self.hang_on in data:
                    hung.set()
                if hung.is_set() or self.blackholed.is_set():
                    continue  # read and drop: the peer waits for an answer that never comes
                sink.sendall(data)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                # shutdown, not only close: a thread blocked in recv() keeps a closed socket open
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()

"""HTTP transport: a threaded ``http.server`` that POSTs bodies to the dispatcher."""

from __future__ import annotations

import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .config import MAX_REQUEST_BYTES
from .rpc import RpcDispatcher

SHUTDOWN_POLL_SECONDS = 0.05  # how quickly stop() takes effect
KEEP_ALIVE_TIMEOUT_SECONDS = 120


class RpcHttpServer(ThreadingHTTPServer):
    """Threaded HTTP server carrying a :class:`RpcDispatcher`."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], dispatcher: RpcDispatcher, *, verbose: bool = False
    ) -> None:
        self.dispatcher = dispatcher
        self.verbose = verbose
        super().__init__(address, RpcRequestHandler)

    @property
    def port(self) -> int:
        """The bound port (useful after binding port 0)."""
        return int(self.server_address[1])


class _BodyError(Exception):
    """The request body cannot be read; answered with ``status``."""

    def __init__(self, status: HTTPStatus, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class RpcRequestHandler(BaseHTTPRequestHandler):
    """Serves ``POST`` JSON-RPC requests on any path, with HTTP/1.1 keep-alive."""

    protocol_version = "HTTP/1.1"
    server_version = "cer-devchain"
    # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms per request on Linux). TCP_NODELAY removes that stall.
    disable_nagle_algorithm = True
    timeout = KEEP_ALIVE_TIMEOUT_SECONDS  # idle keep-alive connections are closed after this
    server: RpcHttpServer

    def do_POST(self) -> None:  # noqa: N802 (http.server naming)
        """Handle one JSON-RPC request or batch."""
        try:
            body = self._read_body()
        except _BodyError as error:
            self.close_connection = True
            self._send_plain(error.status, error.reason)
            return
        response = self.server.dispatcher.handle_body(body)
        if response is None:
            self.send_response(HTTPStatus.NO_CONTENT)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(response)))
        self.end_headers()
        self.wfile.write(response)

    def _read_body(self) -> bytes:
        """Read the request body (Content-Length or chunked), bounded in size."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            raise _BodyError(HTTPStatus.LENGTH_REQUIRED, "Content-Length required")
        try:
            length = int(length_header)
        except ValueError as exc:
            raise _BodyError(HTTPStatus.BAD_REQUEST, "invalid Content-Length") from exc
        if length < 0 or length > MAX_REQUEST_BYTES:
            raise _BodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request too large")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        body = bytearray()
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise _BodyError(HTTPStatus.BAD_REQUEST, "invalid chunk size") from exc
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers up to the blank line
                    pass
                return bytes(body)
            if len(body) + size > MAX_REQUEST_BYTES:
                raise _BodyError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "request too large")
            body += self.rfile.read(size)
            self.rfile.readline(1024)  # CRLF after the chunk

    def do_GET(self) -> None:  # noqa: N802
        """Only POST is supported."""
        self._send_plain(HTTPStatus.METHOD_NOT_ALLOWED, "use POST for JSON-RPC", allow="POST")

    def _send_plain(self, status: HTTPStatus, text: str, allow: str | None = None) -> None:
        body = (text + "\n").encode()
        self.send_response(status)
        if allow is not None:
            self.send_header("Allow", allow)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Access log to stderr only with ``--verbose``."""
        if self.server.verbose:
            sys.stderr.write(f"devchain: {self.address_string()} {format % args}\n")


class BackgroundServer:
    """Runs an :class:`RpcHttpServer` on a daemon thread (used by the CLI and tests)."""

    def __init__(self, server: RpcHttpServer) -> None:
        self.server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SHUTDOWN_POLL_SECONDS},
            name="devchain-http",
            daemon=True,
        )

    @property
    def url(self) -> str:
        """``http://host:port`` of the server."""
        host = str(self.server.server_address[0])
        return f"http://{host}:{self.server.port}"

    def start(self) -> BackgroundServer:
        """Start serving; returns ``self``."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop accepting requests and close the socket."""
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

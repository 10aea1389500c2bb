"""Test meter service for MeterSourcesTests: serves DIR/<path> as JSON to GET requests that
carry `Authorization: Bearer <token>`; answers 503 to the first request for a path containing
the optional third argument. Prints the port it listens on, then serves until stdin closes."""
import http.server
import sys
import threading
from pathlib import Path

root, token = Path(sys.argv[1]), sys.argv[2]
flaky = sys.argv[3] if len(sys.argv) > 3 else None
seen: set[str] = set()


class Handler(http.server.BaseHTTPRequestHandler):
    disable_nagle_algorithm = True

    def do_GET(self) -> None:  # noqa: N802
        if self.headers.get("Authorization") != f"Bearer {token}":
            return self._send(401, b"{}")
        if flaky and flaky in self.path and self.path not in seen:
            seen.add(self.path)
            return self._send(503, b"{}")
        file = root / self.path.lstrip("/")
        if not file.is_file():
            return self._send(404, b"{}")
        self._send(200, file.read_bytes())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
sys.stdin.read()
server.shutdown()

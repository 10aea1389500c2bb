"""A flaky JSON-RPC proxy for FaultTests: sits between cer-run and the dev chain on loopback
and, by a seeded schedule, misbehaves the way a real Besu deployment (or the network and load
balancer in front of it) does.

Usage: flaky_rpc_proxy.py UPSTREAM_URL SEED LOG_FILE [--rate R] [--send-rate R]
       [--pending-rate R] [--hold SECONDS] [--delay SECONDS]

Prints the port it listens on, then serves until stdin closes. Python 3 standard library only.
A request for the method `proxy_configure` with one object parameter (seed, rate, send_rate,
pending_rate, log) is answered by the proxy itself: a new schedule (and log file) from then on.

Every request gets one decision, drawn from a random generator seeded with
(seed, method, how many requests of that method came before): the schedule is the same for the
same seed and the same sequence of requests per method, whatever the timing between methods.
Faults:

  drop/before, drop/after   close the connection without an answer (before or after forwarding)
  http500/502/503/before|after   an HTTP error status instead of the answer
  timeout/before|after      hold the connection HOLD seconds (longer than the client's timeout)
  delay                     answer after DELAY seconds (shorter than the client's timeout)
  receipt-null              eth_getTransactionReceipt answers null (receipt not indexed yet)
  stale-pending             eth_getTransactionCount(…, "pending") answers an older count
  swallow                   eth_sendRawTransaction answers the right hash, never forwards
  known/forwarded|dropped   -32000 "Known transaction" (forwarded or not)
  already-known/forwarded   -32000 "already known" (geth's text), forwarded
  nonce-low/forwarded|dropped   -32001 "Nonce too low" (forwarded or not)

Each request is logged as one JSON line: {"n", "method", "fault", "forwarded", "status",
"start", "end"} (monotonic seconds).
"""

from __future__ import annotations

import argparse
import http.client
import http.server
import json
import random
import sys
import threading
import time
import urllib.parse

# ---------------------------------------------------------------------------- keccak-256

_ROUND_CONSTANTS = [
    0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
    0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
    0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
    0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
    0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
    0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]
_ROTATIONS = [
    [0, 36, 3, 41, 18], [1, 44, 10, 45, 2], [62, 6, 43, 15, 61], [28, 55, 25, 21, 56],
    [27, 20, 39, 8, 14],
]
_MASK = (1 << 64) - 1


def _rotl(value: int, shift: int) -> int:
    return ((value << shift) | (value >> (64 - shift))) & _MASK if shift else value


def _keccak_f(lanes: list[list[int]]) -> None:
    for constant in _ROUND_CONSTANTS:
        c = [lanes[x][0] ^ lanes[x][1] ^ lanes[x][2] ^ lanes[x][3] ^ lanes[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rotl(c[(x + 1) % 5], 1) for x in range(5)]
        for x in range(5):
            for y in range(5):
                lanes[x][y] ^= d[x]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rotl(lanes[x][y], _ROTATIONS[x][y])
        for x in range(5):
            for y in range(5):
                lanes[x][y] = b[x][y] ^ (~b[(x + 1) % 5][y] & b[(x + 2) % 5][y])
        lanes[0][0] ^= constant


def keccak256(data: bytes) -> bytes:
    """Ethereum's keccak-256 (original padding, not SHA3-256)."""
    rate = 136
    padded = bytearray(data) + b"\x01" + b"\x00" * ((-len(data) - 1) % rate)
    padded[-1] |= 0x80  # one byte short of a block: 0x01 and 0x80 share the last byte
    lanes = [[0] * 5 for _ in range(5)]
    for offset in range(0, len(padded), rate):
        block = padded[offset:offset + rate]
        for i in range(rate // 8):
            lanes[i % 5][i // 5] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _keccak_f(lanes)
    return b"".join(lanes[i % 5][i // 5].to_bytes(8, "little") for i in range(4))


# ---------------------------------------------------------------------------- schedule

TRANSPORT: list[tuple[str, float]] = [
    ("drop/before", 3), ("drop/after", 3), ("http500/before", 1), ("http502/after", 1),
    ("http503/before", 2), ("timeout/before", 0.6), ("timeout/after", 0.6), ("delay", 3),
]
SEND = TRANSPORT + [
    ("swallow", 4), ("known/forwarded", 2), ("known/dropped", 2), ("already-known/forwarded", 1),
    ("nonce-low/forwarded", 3), ("nonce-low/dropped", 2),
]


class Schedule:
    def __init__(self, seed: int, rate: float, send_rate: float, pending_rate: float) -> None:
        self.seed = seed
        self.rate = rate
        self.send_rate = send_rate
        self.pending_rate = pending_rate
        self.counts: dict[str, int] = {}
        self.lock = threading.Lock()

    def decide(self, method: str, pending_count: bool) -> tuple[str | None, random.Random]:
        with self.lock:
            index = self.counts.get(method, 0)
            self.counts[method] = index + 1
        rng = random.Random(f"{self.seed}/{method}/{index}")
        if method == "eth_sendRawTransaction":
            return (self._pick(rng, SEND) if rng.random() < self.send_rate else None), rng
        if pending_count and rng.random() < self.pending_rate:
            return "stale-pending", rng
        if rng.random() >= self.rate:
            return None, rng
        kinds = TRANSPORT + ([("receipt-null", 4)] if method == "eth_getTransactionReceipt" else [])
        return self._pick(rng, kinds), rng

    @staticmethod
    def _pick(rng: random.Random, kinds: list[tuple[str, float]]) -> str:
        total = sum(weight for _, weight in kinds)
        point = rng.uniform(0, total)
        for kind, weight in kinds:
            point -= weight
            if point <= 0:
                return kind
        return kinds[-1][0]


# ---------------------------------------------------------------------------- server


class Proxy(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that gave up (timed out) before the answer: nothing to report."""

    def __init__(self, options: argparse.Namespace) -> None:
        upstream = urllib.parse.urlsplit(options.upstream)
        self.upstream_host = upstream.hostname or "127.0.0.1"
        self.upstream_port = upstream.port or 80
        self.schedule = Schedule(options.seed, options.rate, options.send_rate, options.pending_rate)
        self.hold = options.hold
        self.delay = options.delay
        self.log_file = open(options.log, "a", encoding="utf-8")  # noqa: SIM115
        self.log_lock = threading.Lock()
        self.sequence = 0
        super().__init__(("127.0.0.1", 0), Handler)

    def configure(self, settings: dict) -> None:
        """`proxy_configure` (answered by the proxy itself, never logged or faulted): a new
        seed, rates and log file; the per-method counters start again from zero."""
        with self.log_lock:
            self.schedule = Schedule(
                int(settings.get("seed", self.schedule.seed)),
                float(settings.get("rate", self.schedule.rate)),
                float(settings.get("send_rate", self.schedule.send_rate)),
                float(settings.get("pending_rate", self.schedule.pending_rate)),
            )
            if "log" in settings:
                self.log_file.close()
                self.log_file = open(settings["log"], "a", encoding="utf-8")  # noqa: SIM115
            self.sequence = 0

    def log(self, entry: dict) -> None:
        with self.log_lock:
            entry["n"] = self.sequence
            self.sequence += 1
            self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")
            self.log_file.flush()

    def forward(self, body: bytes) -> tuple[int, bytes]:
        """POSTs `body` upstream; (status, body), or (0, b"") when the node does not answer."""
        connection = http.client.HTTPConnection(self.upstream_host, self.upstream_port, timeout=60)
        try:
            connection.request("POST", "/", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, response.read()
        except OSError:
            return 0, b""
        finally:
            connection.close()


def _error(request_id: object, code: int, message: str) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}).encode()


def _result(request_id: object, result: object) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "result": result}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Proxy

    def do_POST(self) -> None:  # noqa: N802
        body = self._read_body()
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        single = isinstance(request, dict)
        method = request.get("method", "?") if single else "batch"
        params = request.get("params") or [] if single else []
        request_id = request.get("id") if single else None
        if method == "proxy_configure":
            self.server.configure(params[0] if params else {})
            return self._send(200, _result(request_id, True))
        pending = method == "eth_getTransactionCount" and len(params) > 1 and params[1] == "pending"
        fault, rng = self.server.schedule.decide(method, pending)
        entry = {"method": method, "fault": fault, "forwarded": False, "start": round(time.monotonic(), 3)}
        try:
            self._serve(body, fault, rng, request_id, params, entry)
        finally:
            entry["end"] = round(time.monotonic(), 3)
            self.server.log(entry)

    def _serve(self, body: bytes, fault: str | None, rng: random.Random, request_id: object,
               params: list, entry: dict) -> None:
        def forward() -> tuple[int, bytes]:
            entry["forwarded"] = True
            status, answer = self.server.forward(body)
            entry["status"] = status
            return status, answer

        if fault is None or fault == "delay":
            if fault == "delay":
                time.sleep(self.server.delay)
            status, answer = forward()
            if status == 0:
                return self._drop()
            return self._send(status, answer)
        kind, _, when = fault.partition("/")
        if kind in ("drop", "timeout") or kind.startswith("http"):
            if when == "after":
                forward()
            if kind == "drop":
                return self._drop()
            if kind == "timeout":
                time.sleep(self.server.hold)
                return self._drop()
            return self._send(int(kind[4:]), b"<html>upstream unavailable</html>", "text/html")
        if kind == "receipt-null":
            forward()
            return self._send(200, _result(request_id, None))
        if kind == "stale-pending":
            status, answer = forward()
            if status != 200:
                return self._send(status, answer) if status else self._drop()
            count = int(json.loads(answer)["result"], 16)
            lag = rng.randint(1, 3)
            entry["lag"] = lag
            return self._send(200, _result(request_id, hex(max(0, count - lag))))
        raw = bytes.fromhex(str(params[0])[2:]) if params else b""
        if kind == "swallow":
            return self._send(200, _result(request_id, "0x" + keccak256(raw).hex()))
        if when == "forwarded":
            forward()
        if kind == "nonce-low":
            return self._send(200, _error(request_id, -32001, "Nonce too low"))
        message = "already known" if kind == "already-known" else "Known transaction"
        return self._send(200, _error(request_id, -32000, message))

    def _read_body(self) -> bytes:
        if "chunked" not in self.headers.get("Transfer-Encoding", "").lower():
            return self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = bytearray()
        while True:
            size = int(self.rfile.readline(1024).split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while self.rfile.readline(1024).strip():
                    pass
                return bytes(body)
            body += self.rfile.read(size)
            self.rfile.readline(1024)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        # One request per connection: a client (curl) that finds a kept-alive connection closed
        # under a request waits a second and retries it on its own, bodiless.
        self.send_header("Connection", "close")
        self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("upstream")
    parser.add_argument("seed", type=int)
    parser.add_argument("log")
    parser.add_argument("--rate", type=float, default=0.08)
    parser.add_argument("--send-rate", type=float, default=0.5)
    parser.add_argument("--pending-rate", type=float, default=0.5)
    parser.add_argument("--hold", type=float, default=1.3)
    parser.add_argument("--delay", type=float, default=0.1)
    options = parser.parse_args()
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    server = Proxy(options)
    print(server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()

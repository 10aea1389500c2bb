#!/usr/bin/env python3
"""A cer-clearing/1 HTTP plugin: POST /clear with the request JSON, get the result JSON.

Usage: python3 examples/plugins/http_server.py [--port 8080]   (--port 0 picks a free port)
       cer-run clear --plugin "http:http://127.0.0.1:8080/clear" < book.json

Listens on 127.0.0.1 only and prints "listening on PORT" once ready. Clears with the same
integer-only uniform-price rule as uniform_price.py. Other paths answer 404; a malformed
request answers 400 with the reason.
"""
import argparse
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from uniform_price import clear  # noqa: E402


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        if self.path != "/clear":
            self.answer(404, {"error": f"no plugin at {self.path}; POST /clear"})
            return
        length = int(self.headers.get("Content-Length", "0"))
        try:
            request = json.loads(self.rfile.read(length))
            result = clear(request)
        except (ValueError, KeyError, TypeError) as error:
            self.answer(400, {"error": f"bad request: {error!r}"})
            return
        self.answer(200, result)

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *args):
        print(format % args, file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080)
    port = parser.parse_args().port
    # Stop on SIGTERM even if the parent left it ignored.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server = HTTPServer(("127.0.0.1", port), Handler)
    print(f"listening on {server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

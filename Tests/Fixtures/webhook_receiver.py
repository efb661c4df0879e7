#!/usr/bin/env python3
"""A loopback receiver for MLflow webhook deliveries, for MLOpsKit's webhook tests.

It listens on 127.0.0.1 (a port the kernel picks), prints "port N" on the first line of stdout once it
is listening, and appends one JSON line per POST to the file given with --record:
{"path": ..., "headers": [[name, value], ...], "body_base64": ...}. The body is kept byte for byte,
since webhook signatures cover the raw bytes. Every POST is answered 200 "ok". It exits when stdin
closes, so a test process that dies never leaves it behind.
"""
import argparse
import base64
import http.server
import json
import socketserver
import sys
import threading

LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    record_path = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        entry = {
            "path": self.path,
            "headers": [[name, value] for name, value in self.headers.items()],
            "body_base64": base64.b64encode(body).decode("ascii"),
        }
        with LOCK, open(self.record_path, "a", encoding="utf-8") as record:
            record.write(json.dumps(entry) + "\n")
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--record", required=True)
    args = parser.parse_args()
    Handler.record_path = args.record
    server = Server(("127.0.0.1", 0), Handler)
    print("port %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()

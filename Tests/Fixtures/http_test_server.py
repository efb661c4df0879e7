#!/usr/bin/env python3
"""A small HTTP/1.1 server for MLOpsKit's transport tests (TCP on 127.0.0.1 or a unix socket).

It prints its address on the first line of stdout ("port N" or "unix PATH") once it is listening, and
exits when stdin closes, so a test process that dies never leaves it behind.

Responses are written as two sends (headers, then body) without TCP_NODELAY unless --nodelay is given:
like MLflow's default uvicorn server, it stalls on reused connections through Nagle's algorithm and the
client's delayed acknowledgement.
"""
import argparse
import hashlib
import http.server
import json
import os
import socket
import socketserver
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

COUNTERS = {}
COUNTERS_LOCK = threading.Lock()
STATS = {"connections": 0}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = False

    def setup(self):
        super().setup()
        with COUNTERS_LOCK:
            STATS["connections"] += 1

    def log_message(self, *args):
        pass

    def address_string(self):
        return "local"

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        digest = hashlib.sha256()
        remaining = length
        while remaining > 0:
            chunk = self.rfile.read(min(remaining, 1 << 16))
            if not chunk:
                break
            digest.update(chunk)
            remaining -= len(chunk)
        return length - remaining, digest.hexdigest()

    def reply(self, status, body, content_type="application/json", extra=None):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def handle_any(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        query = parse_qs(url.query)
        length, sha = self.read_body()
        route = parts[0] if parts else ""
        if route == "echo":
            self.reply(200, {
                "method": self.command,
                "path": url.path,
                "query": url.query,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body_length": length,
                "body_sha256": sha,
            })
        elif route == "status":
            extra = {}
            if "retry_after" in query:
                extra["Retry-After"] = query["retry_after"][0]
            self.reply(int(parts[1]), {"status": int(parts[1])}, extra=extra)
        elif route == "flaky":
            # /flaky/<key>/<failures>/<status>: fail the first <failures> requests of <key>.
            key, failures, status = parts[1], int(parts[2]), int(parts[3])
            with COUNTERS_LOCK:
                COUNTERS[key] = COUNTERS.get(key, 0) + 1
                seen = COUNTERS[key]
            if seen <= failures:
                self.reply(status, {"attempt": seen}, extra={"Retry-After": "0"})
            else:
                self.reply(200, {"attempt": seen})
        elif route == "count":
            with COUNTERS_LOCK:
                self.reply(200, {"count": COUNTERS.get(parts[1], 0)})
        elif route == "delay":
            time.sleep(int(parts[1]) / 1000)
            self.reply(200, {"delayed_ms": int(parts[1])})
        elif route == "bytes":
            count = int(parts[1])
            pattern = bytes(i % 251 for i in range(251))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(count))
            self.end_headers()
            sent = 0
            while sent < count:
                block = (pattern * (65536 // 251 + 1))[: min(65536 - 65536 % 251, count - sent)]
                self.wfile.write(block)
                sent += len(block)
        elif route == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(1000):
                    self.wfile.write(b"x")
                    time.sleep(1)
            except OSError:
                pass
        elif route == "chunked":
            # /chunked/<key>/<count>/<interval_ms>: a chunked body of <count> lines "chunk N\n"
            # (0: endless), one every <interval_ms>. A client that goes away is counted under
            # "closed-<key>" (see /count), so tests can check that ending a stream ends the transfer.
            key, count, interval = parts[1], int(parts[2]), int(parts[3]) / 1000
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            sent = 0
            try:
                while count == 0 or sent < count:
                    time.sleep(interval)
                    line = ("chunk %d\n" % sent).encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                    sent += 1
                self.wfile.write(b"0\r\n\r\n")
                self.wfile.flush()
            except OSError:
                with COUNTERS_LOCK:
                    COUNTERS["closed-" + key] = COUNTERS.get("closed-" + key, 0) + 1
                self.close_connection = True
        elif route == "close":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif route == "stats":
            with COUNTERS_LOCK:
                self.reply(200, dict(STATS))
        else:
            self.reply(404, {"error": "no route " + url.path})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = handle_any


class TCPServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 makes concurrent clients wait for SYN retransmissions
    # (1 s, 3 s, ...) once more than 5 connect at the same instant.
    request_queue_size = 256
    allow_reuse_address = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True
    request_queue_size = 256

    def get_request(self):
        connection, _ = super().get_request()
        return connection, ("local", 0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unix", help="listen on this unix socket path instead of TCP")
    parser.add_argument("--nodelay", action="store_true", help="set TCP_NODELAY (no stall on reuse)")
    parser.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (needs --tls-key)")
    parser.add_argument("--tls-key", help="the certificate's PEM private key")
    args = parser.parse_args()
    Handler.disable_nagle_algorithm = args.nodelay
    if args.unix:
        if os.path.exists(args.unix):
            os.unlink(args.unix)
        server = UnixServer(args.unix, Handler)
        print("unix " + args.unix, flush=True)
    else:
        server = TCPServer(("127.0.0.1", 0), Handler)
        if args.tls_cert:
            import ssl
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(args.tls_cert, args.tls_key)
            server.socket = context.wrap_socket(server.socket, server_side=True)
        print("port %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()

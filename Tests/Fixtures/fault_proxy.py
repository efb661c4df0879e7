#!/usr/bin/env python3
"""A loopback HTTP fault proxy: it sits between a client and a real server and passes requests through,
or injects a fault chosen at run time.

Clients talk to the proxy's port as if it were the server (point MLFLOW_TRACKING_URI or
MLFLOW_S3_ENDPOINT_URL at it). Each client connection carries one request: the proxy sends it upstream
with `Connection: close`, reads the whole response and hands it back with `Connection: close`. The Host
header is forwarded unchanged, so SigV4 signatures made for the proxy's address still verify upstream.

Fault modes (per request):

  pass       forward and answer unchanged (the default)
  reset      forward, then send the first part of the response (half the body, or half the head when
             the body is empty) and reset the connection (SO_LINGER 0)
  truncate   forward, then send the same first part and close normally: a body cut short
  stall      do not forward; say nothing for --stall seconds (default 30), then close
  error      do not forward; answer 500, 502, 503 and 504 in turn (a 5xx storm), JSON bodies
  garbage    do not forward; send random bytes instead of a response, then close

A separate control port (loopback) switches the mode while the proxy runs:

  GET /mode?name=reset[&after=N][&count=C][&methods=PUT,GET]
      from now on, pass the next N matching requests through, then fault C of them (no count: every
      one), then pass again. `methods` limits the fault to requests with those methods.
  GET /stats   {"mode": …, "requests": total, "faults": injected, "passed": forwarded unchanged}
  GET /reset   the counters to zero (the mode stays)

Usage: fault_proxy.py --upstream HOST:PORT [--stall SECONDS]
       (prints "port N control M", exits when stdin closes)
"""
import argparse
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time
from urllib.parse import parse_qs, urlparse

UPSTREAM = ("127.0.0.1", 0)
STALL_SECONDS = 30.0
MODES = ("pass", "reset", "truncate", "stall", "error", "garbage")
ERROR_STATUSES = ((500, "Internal Server Error"), (502, "Bad Gateway"), (503, "Service Unavailable"),
                  (504, "Gateway Timeout"))

LOCK = threading.Lock()
STATE = {"mode": "pass", "after": 0, "count": None, "methods": None, "requests": 0, "faults": 0, "passed": 0,
         "errors": 0}


def choose(method):
    """The fault for this request ("pass" when none), counting it."""
    with LOCK:
        STATE["requests"] += 1
        mode = STATE["mode"]
        methods = STATE["methods"]
        if mode == "pass" or (methods is not None and method not in methods):
            STATE["passed"] += 1
            return "pass", 0
        if STATE["after"] > 0:
            STATE["after"] -= 1
            STATE["passed"] += 1
            return "pass", 0
        if STATE["count"] is not None:
            if STATE["count"] <= 0:
                STATE["passed"] += 1
                return "pass", 0
            STATE["count"] -= 1
        STATE["faults"] += 1
        sequence = STATE["errors"]
        STATE["errors"] += 1
        return mode, sequence


class Reader:
    """Buffered reads from a socket."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = b""

    def fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise EOFError
        self.buffer += chunk

    def until(self, marker, limit=1 << 20):
        """Bytes up to and including `marker`."""
        while marker not in self.buffer:
            if len(self.buffer) > limit:
                raise EOFError
            self.fill()
        index = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:index], self.buffer[index:]
        return data

    def exact(self, length):
        while len(self.buffer) < length:
            self.fill()
        data, self.buffer = self.buffer[:length], self.buffer[length:]
        return data

    def chunked(self):
        """A whole chunked body, raw as sent (sizes, data, trailers)."""
        body = b""
        while True:
            line = self.until(b"\r\n")
            body += line
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while True:
                    trailer = self.until(b"\r\n")
                    body += trailer
                    if trailer == b"\r\n":
                        return body
            body += self.exact(size + 2)


def read_request(sock):
    """Returns (method, head_lines, body) of one request, or None when the client went away."""
    reader = Reader(sock)
    try:
        head = reader.until(b"\r\n\r\n")[:-4]
        lines = head.split(b"\r\n")
        method = lines[0].split(b" ", 1)[0].decode("latin-1")
        length = 0
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value.strip())
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
        body = reader.chunked() if chunked else reader.exact(length)
    except (EOFError, ValueError):
        return None
    return method, lines, body


def with_connection_close(lines):
    kept = [line for line in lines if line.split(b":", 1)[0].strip().lower() not in (b"connection", b"keep-alive")]
    return kept + [b"Connection: close"]


def forward(method, lines, body):
    """Sends the request upstream and returns the whole response (raw bytes) and where its head ends."""
    upstream = socket.create_connection(UPSTREAM, timeout=300)
    try:
        upstream.sendall(b"\r\n".join(with_connection_close(lines)) + b"\r\n\r\n" + body)
        response = b""
        while True:
            chunk = upstream.recv(1 << 20)
            if not chunk:
                break
            response += chunk
    finally:
        upstream.close()
    head_end = response.find(b"\r\n\r\n")
    if head_end < 0:
        return response, len(response)
    head = response[:head_end].split(b"\r\n")
    response = b"\r\n".join(with_connection_close(head)) + b"\r\n\r\n" + response[head_end + 4:]
    return response, response.find(b"\r\n\r\n") + 4


def reset(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class ProxyHandler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        try:
            request = read_request(sock)
            if request is None:
                return
            method, lines, body = request
            mode, sequence = choose(method)
            if mode == "stall":
                deadline = time.monotonic() + STALL_SECONDS
                sock.settimeout(0.2)
                while time.monotonic() < deadline:
                    try:
                        if sock.recv(1) == b"":
                            break
                    except socket.timeout:
                        continue
                return
            if mode == "error":
                status, reason = ERROR_STATUSES[sequence % len(ERROR_STATUSES)]
                document = json.dumps({"error_code": "INTERNAL_ERROR", "message": "injected %d" % status}).encode()
                sock.sendall(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                             b"Connection: close\r\n\r\n" % (status, reason.encode(), len(document)) + document)
                return
            if mode == "garbage":
                sock.sendall(os.urandom(2048))
                return
            response, head_length = forward(method, lines, body)
            if mode == "pass":
                sock.sendall(response)
                return
            body_length = len(response) - head_length
            cut = head_length + body_length // 2 if body_length >= 2 else head_length // 2
            sock.sendall(response[:cut])
            if mode == "reset":
                time.sleep(0.05)
                reset(sock)
                self.request = None
        except OSError:
            pass
        finally:
            if self.request is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class ControlHandler(socketserver.StreamRequestHandler):
    def handle(self):
        line = self.rfile.readline().decode("latin-1")
        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
            pass
        parts = line.split(" ")
        url = urlparse(parts[1] if len(parts) > 1 else "/")
        query = parse_qs(url.query)
        status, document = 200, None
        if url.path == "/mode":
            name = query.get("name", ["pass"])[0]
            if name not in MODES:
                status, document = 400, {"error": "unknown mode %r; one of %s" % (name, ", ".join(MODES))}
            else:
                with LOCK:
                    STATE["mode"] = name
                    STATE["after"] = int(query.get("after", ["0"])[0])
                    STATE["count"] = int(query["count"][0]) if "count" in query else None
                    STATE["methods"] = set(query["methods"][0].upper().split(",")) if "methods" in query else None
        elif url.path == "/reset":
            with LOCK:
                STATE.update(requests=0, faults=0, passed=0, errors=0)
        elif url.path != "/stats":
            status, document = 404, {"error": "no such control path"}
        if document is None:
            with LOCK:
                document = {key: STATE[key] for key in ("mode", "after", "count", "requests", "faults", "passed")}
                document["methods"] = sorted(STATE["methods"]) if STATE["methods"] is not None else None
        body = json.dumps(document).encode()
        self.wfile.write(b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                         b"Connection: close\r\n\r\n" % (status, b"OK" if status == 200 else b"Error", len(body))
                         + body)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main():
    global UPSTREAM, STALL_SECONDS
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the real server (loopback)")
    parser.add_argument("--stall", type=float, default=30.0, help="seconds a stalled request stays silent")
    args = parser.parse_args()
    host, _, port = args.upstream.rpartition(":")
    if host not in ("127.0.0.1", "localhost", "::1", "[::1]"):
        parser.error("the upstream must be a loopback address")
    UPSTREAM = (host.strip("[]"), int(port))
    STALL_SECONDS = args.stall
    proxy = Server(("127.0.0.1", 0), ProxyHandler)
    control = Server(("127.0.0.1", 0), ControlHandler)
    print("port %d control %d" % (proxy.server_address[1], control.server_address[1]), flush=True)
    for server in (proxy, control):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    proxy.shutdown()
    control.shutdown()


if __name__ == "__main__":
    main()

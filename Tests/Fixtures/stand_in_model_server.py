#!/usr/bin/env python3
"""A stand-in for `mlflow models serve` that starts in a fraction of a second, for the alias
reconciler's tests: rollouts, failures and restarts without loading a real model.

  stand_in_model_server.py PORT MODEL VERSION

  GET  /ping          200 once listening
  POST /invocations   200 {"predictions": [VERSION, ...], "version": "VERSION"}: one prediction per row
                      of a dataframe_split / dataframe_records / instances / inputs body

Behaviour per version comes from the JSON file named by STAND_IN_BEHAVIOUR (read at start-up):
  {"3": "exit"}       exits with status 3 right after start-up (a model that fails to load)
  {"3": "unready"}    listens but answers /ping with 503 forever (a model that never gets ready)
  {"3": "bad-smoke"}  answers /ping but fails /invocations with 500
  {"3": "fail-after:1"} answers the first N invocations (the readiness smoke), then 500s
  {"3": "slow:5"}     sleeps that many seconds before each invocation's answer
  {"3": "reset"}      resets the connection after reading an invocation (RST, no answer)
STAND_IN_START_SECONDS delays listening (a model that takes time to load).

For the gateway's tests, request headers change an invocation's answer:
  X-Stand-In-Echo: headers   {"path": ..., "method": ..., "headers": {lower-case name: value}}
  X-Stand-In-Echo: size      {"bytes": N, "sha256": ...} of the body, read in 64 KiB pieces
  X-Stand-In-Sleep: SECONDS  sleeps before answering
  X-Stand-In-Stream: N,BYTES a chunked answer of N chunks of BYTES each
Request bodies may be chunked (Transfer-Encoding: chunked).
"""
import hashlib
import socket
import struct
import threading
import urllib.parse
import http.server
import json
import os
import sys
import time


def behaviour(version):
    path = os.environ.get("STAND_IN_BEHAVIOUR")
    if not path or not os.path.exists(path):
        return None
    with open(path) as handle:
        return json.load(handle).get(version)


def rows(body):
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return None
    if "dataframe_split" in payload:
        return len(payload["dataframe_split"].get("data", []))
    for key in ("dataframe_records", "instances", "inputs"):
        if key in payload:
            value = payload[key]
            return len(value) if isinstance(value, list) else 1
    return None


def main():
    port, model, version = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    mode = behaviour(version)
    print("stand-in model server: model=%s version=%s mode=%s" % (model, version, mode or "normal"), flush=True)
    if mode == "exit":
        print("failed to load model %s version %s" % (model, version), flush=True)
        sys.exit(3)
    time.sleep(float(os.environ.get("STAND_IN_START_SECONDS", "0")))

    invocations = [0]
    invocations_lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # The head and the body go out in two writes: without this, Nagle holds the body back until
        # the client acknowledges the head, which a client with delayed acknowledgements does late.
        disable_nagle_algorithm = True

        def body_pieces(self):
            """The request body in pieces of at most 64 KiB, chunked or by Content-Length."""
            if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
                while True:
                    size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                    if size == 0:
                        while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                            pass
                        return
                    while size > 0:
                        piece = self.rfile.read(min(size, 65536))
                        if not piece:
                            return
                        size -= len(piece)
                        yield piece
                    self.rfile.readline()
            else:
                left = int(self.headers.get("Content-Length", "0"))
                while left > 0:
                    piece = self.rfile.read(min(left, 65536))
                    if not piece:
                        return
                    left -= len(piece)
                    yield piece

        def answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            parsed = urllib.parse.urlparse(self.path)
            if parsed.path == "/ping":
                self.answer(503 if mode == "unready" else 200, {})
            elif parsed.path == "/version":
                self.answer(200, {"version": version})
            elif self.headers.get("X-Stand-In-Echo") == "headers":
                self.echo_headers()
            else:
                self.answer(404, {"error": "not found"})

        def stream(self, spec):
            chunks, size = (int(part) for part in spec.split(","))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            piece = b"a" * size
            for _ in range(chunks):
                self.wfile.write(b"%x\r\n%s\r\n" % (size, piece))
            self.wfile.write(b"0\r\n\r\n")

        def echo_headers(self):
            self.answer(200, {
                "path": self.path, "method": self.command,
                "headers": {name.lower(): value for name, value in self.headers.items()}})

        def do_POST(self):
            echo = self.headers.get("X-Stand-In-Echo")
            if echo == "size":
                digest = hashlib.sha256()
                total = 0
                for piece in self.body_pieces():
                    digest.update(piece)
                    total += len(piece)
                self.answer(200, {"bytes": total, "sha256": digest.hexdigest(), "version": version})
                return
            body = b"".join(self.body_pieces())
            time.sleep(float(self.headers.get("X-Stand-In-Sleep", "0")))
            if echo == "headers":
                self.echo_headers()
                return
            if self.headers.get("X-Stand-In-Stream"):
                self.stream(self.headers["X-Stand-In-Stream"])
                return
            with invocations_lock:
                invocations[0] += 1
                count_so_far = invocations[0]
            if mode and mode.startswith("slow:") and self.path == "/invocations":
                time.sleep(float(mode.split(":", 1)[1]))
            if mode == "reset" and self.path == "/invocations":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.connection.close()
                self.close_connection = True
                return
            if self.path != "/invocations":
                self.answer(404, {"error": "not found"})
            elif mode and mode.startswith("fail-after:") and count_so_far > int(mode.split(":", 1)[1]):
                self.answer(500, {"error_code": "INTERNAL_ERROR", "message": "model failed"})
            elif mode == "bad-smoke":
                self.answer(500, {"error_code": "INTERNAL_ERROR", "message": "model failed"})
            else:
                count = rows(body)
                if count is None:
                    self.answer(400, {"error_code": "BAD_REQUEST", "message": "unrecognised input"})
                else:
                    self.answer(200, {"predictions": [int(version)] * count, "version": version})

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer.daemon_threads = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening on 127.0.0.1:%d" % server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

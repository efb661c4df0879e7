#!/usr/bin/env python3
"""A loopback HTTP server that answers each request path with one hostile response, for the tests of
the HTTP client (`CurlTransport`) and of the binaries built on it.

Every connection reads one request head (and drains a body announced by Content-Length), then answers
according to the path's first segment (a query string and later segments are ignored, so an MLflow
client's `/api/2.0/...` paths work too when the hostile path is the tracking URI's prefix):

  /chunk-negative      Transfer-Encoding: chunked with a chunk size of "-1"
  /chunk-plus          a chunk size of "+2"
  /chunk-huge          a chunk size of "ffffffffffffffffff" (more than 64 bits)
  /chunk-garbage       a chunk size of "zz;garbage"
  /length-negative     Content-Length: -1
  /length-huge         Content-Length: 99999999999999999999999 (more than Int64)
  /length-conflict     two Content-Length fields, 5 and 10, and 10 bytes of body
  /status-digits       a status line of only digits ("200")
  /status-garbage      a status line of binary garbage
  /huge-header         one header field of 10 MB (sent until the client stops reading)
  /truncated           Content-Length: 1000, 10 bytes sent, then close
  /head-cut            a status line and part of a header field, then close (no empty line)
  /reset               a status line and part of the head, then a connection reset (SO_LINGER 0)
  /stall               reads the request, then says nothing for --stall seconds (default 30) and closes
  /garbage             random bytes instead of a response, then close
  /endless-chunked     a 200 with a chunked body that never ends (64 KiB chunks, about 12 MB/s)
  /ok                  a well-formed 200 with the body "ok" (to check the fixture itself)

Any other first segment answers like /ok with 404. Every request's method and path is appended to the
file named by --log, if given.

Usage: hostile_http_server.py [--stall SECONDS] [--log FILE]   (prints "port N", exits when stdin closes)
"""
import argparse
import os
import socket
import socketserver
import struct
import sys
import threading
import time

STALL_SECONDS = 30.0
LOG = None
LOCK = threading.Lock()

MODES = (
    "chunk-negative", "chunk-plus", "chunk-huge", "chunk-garbage", "length-negative", "length-huge",
    "length-conflict", "status-digits", "status-garbage", "huge-header", "truncated", "head-cut", "reset", "stall",
    "garbage", "endless-chunked", "ok",
)


def read_head(sock):
    """Reads one request head; returns (method, path, content_length) or None if the peer went away."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("?", "/")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            try:
                length = int(value.strip())
            except ValueError:
                length = 0
    # Drain the request body so that the client is not blocked sending it.
    remaining = length - len(rest)
    while remaining > 0:
        chunk = sock.recv(min(remaining, 65536))
        if not chunk:
            break
        remaining -= len(chunk)
    return method, path, length


def send(sock, data):
    try:
        sock.sendall(data)
        return True
    except OSError:
        return False


def reset(sock):
    """Closes with SO_LINGER 0: the kernel sends an RST instead of a FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def chunked_head():
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"


def answer(sock, mode):
    if mode == "chunk-negative":
        send(sock, chunked_head() + b"-1\r\nab\r\n0\r\n\r\n")
    elif mode == "chunk-plus":
        send(sock, chunked_head() + b"+2\r\nab\r\n0\r\n\r\n")
    elif mode == "chunk-huge":
        send(sock, chunked_head() + b"ffffffffffffffffff\r\nabcdefgh")
        time.sleep(0.5)
    elif mode == "chunk-garbage":
        send(sock, chunked_head() + b"zz;garbage\r\nab\r\n0\r\n\r\n")
    elif mode == "length-negative":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n{}")
    elif mode == "length-huge":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                   b"Content-Length: 99999999999999999999999\r\n\r\n{}")
        time.sleep(0.5)
    elif mode == "length-conflict":
        # Ten bytes follow, so that a client taking the last field reads a whole "response".
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n"
                   b"Content-Length: 10\r\n\r\n{}        ")
        time.sleep(0.5)
    elif mode == "status-digits":
        send(sock, b"200\r\nContent-Length: 2\r\n\r\n{}")
    elif mode == "status-garbage":
        send(sock, b"\x00\xff\xfe\x80 \x01\x02\x03\r\nContent-Length: 2\r\n\r\n{}")
    elif mode == "huge-header":
        if send(sock, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Huge: "):
            block = b"a" * 65536
            for _ in range((10 << 20) // len(block)):
                if not send(sock, block):
                    break
            send(sock, b"\r\n\r\n{}")
    elif mode == "truncated":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                   b"0123456789")
    elif mode == "head-cut":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nETa")
    elif mode == "reset":
        send(sock, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len")
        time.sleep(0.1)
        reset(sock)
        return
    elif mode == "stall":
        deadline = time.monotonic() + STALL_SECONDS
        sock.settimeout(0.2)
        while time.monotonic() < deadline:
            try:
                if sock.recv(1) == b"":
                    break  # the client gave up
            except socket.timeout:
                continue
            except OSError:
                break
    elif mode == "garbage":
        send(sock, os.urandom(4096))
    elif mode == "endless-chunked":
        if send(sock, chunked_head()):
            chunk = b"%x\r\n" % 65536 + b"x" * 65536 + b"\r\n"
            # Paced (about 12 MB/s) so that a client writing it to a file does not fill the disk.
            while send(sock, chunk):
                time.sleep(0.005)
    else:
        status = b"200 OK" if mode == "ok" else b"404 Not Found"
        body = b"ok" if mode == "ok" else b"no such hostile path"
        send(sock, b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n"
                   b"Connection: close\r\n\r\n" % len(body) + body)
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        request = read_head(self.request)
        if request is None:
            return
        method, path, _ = request
        if LOG:
            with LOCK:
                with open(LOG, "a", encoding="utf-8") as log:
                    log.write("%s %s\n" % (method, path))
        mode = path.split("?", 1)[0].lstrip("/").split("/", 1)[0]
        answer(self.request, mode)


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global STALL_SECONDS, LOG
    parser = argparse.ArgumentParser()
    parser.add_argument("--stall", type=float, default=30.0, help="seconds /stall stays silent")
    parser.add_argument("--log", help="append each request's method and path here")
    args = parser.parse_args()
    STALL_SECONDS = args.stall
    LOG = args.log
    server = Server(("127.0.0.1", 0), Handler)
    print("port %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()

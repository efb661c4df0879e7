"""A loopback TCP relay that counts the HTTP requests passing through it.

  counting_relay.py --upstream http://127.0.0.1:PORT

Listens on two free loopback ports and prints them as one JSON line on stdout:
{"relay": "http://127.0.0.1:P", "control": "http://127.0.0.1:C"}. Clients pointed at the relay reach
the upstream server unchanged: every client connection gets its own upstream connection, opened when
the client connects and closed when it closes, so keep-alive, fresh connections and the server's own
behaviour on reused connections (the default `mlflow server`'s ~40 ms stall) are what they would be
without the relay. The relay only reads the client's bytes on their way: it splits them into HTTP/1.1
requests (by Content-Length or chunked framing) and counts each one by method and path.

GET on the control port answers {"total": N, "by_path": {"GET /api/2.0/mlflow/...": n, ...}}; a client
reads it before and after a piece of work and takes the difference. The counts are taken from what the
code under test sends, not from what it says it sent.
"""
import argparse
import asyncio
import json
import sys
import urllib.parse

COUNTS = {}


def count(method, path):
    key = "%s %s" % (method, path.split("?", 1)[0])
    COUNTS[key] = COUNTS.get(key, 0) + 1


class RequestSplitter:
    """Finds request boundaries in one connection's client-to-server bytes."""

    def __init__(self):
        self.buffer = b""
        self.body_left = 0      # bytes of a Content-Length body still to skip
        self.chunked = False    # inside a chunked body

    def feed(self, data):
        self.buffer += data
        while True:
            if self.body_left:
                taken = min(self.body_left, len(self.buffer))
                self.buffer = self.buffer[taken:]
                self.body_left -= taken
                if self.body_left:
                    return
            if self.chunked:
                if not self.skip_chunks():
                    return
                continue
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1").split("\r\n")
            self.buffer = self.buffer[end + 4:]
            parts = head[0].split(" ")
            if len(parts) >= 2:
                count(parts[0], parts[1])
            headers = {}
            for line in head[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            if "chunked" in headers.get("transfer-encoding", "").lower():
                self.chunked = True
            else:
                self.body_left = int(headers.get("content-length", "0") or 0)

    def skip_chunks(self):
        """Skips whole chunks; True once the last chunk and the trailer end are consumed."""
        while True:
            line_end = self.buffer.find(b"\r\n")
            if line_end < 0:
                return False
            size = int(self.buffer[:line_end].split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                if trailer_end < 0 and not self.buffer[line_end + 2:].startswith(b"\r\n"):
                    return False
                end = line_end + 4 if self.buffer[line_end + 2:].startswith(b"\r\n") else trailer_end + 4
                self.buffer = self.buffer[end:]
                self.chunked = False
                return True
            if len(self.buffer) < line_end + 2 + size + 2:
                return False
            self.buffer = self.buffer[line_end + 2 + size + 2:]


async def pipe(reader, writer, splitter=None):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if splitter is not None:
                splitter.feed(data)
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def relay(upstream_host, upstream_port, client_reader, client_writer):
    try:
        server_reader, server_writer = await asyncio.open_connection(upstream_host, upstream_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        pipe(client_reader, server_writer, RequestSplitter()),
        pipe(server_reader, client_writer),
    )


async def control(reader, writer):
    try:
        await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        writer.close()
        return
    body = json.dumps({"total": sum(COUNTS.values()), "by_path": COUNTS}, sort_keys=True).encode()
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    await writer.drain()
    writer.close()


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    args = parser.parse_args()
    upstream = urllib.parse.urlsplit(args.upstream)
    host, port = upstream.hostname, upstream.port or 80
    relay_server = await asyncio.start_server(
        lambda r, w: relay(host, port, r, w), "127.0.0.1", 0, backlog=1024)
    control_server = await asyncio.start_server(control, "127.0.0.1", 0)
    ports = [s.sockets[0].getsockname()[1] for s in (relay_server, control_server)]
    print(json.dumps({"relay": "http://127.0.0.1:%d" % ports[0], "control": "http://127.0.0.1:%d" % ports[1]}),
          flush=True)
    # Runs until stdin closes (the harness holds it open) or the process is stopped.
    loop = asyncio.get_running_loop()
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    async with relay_server, control_server:
        await stdin_closed


if __name__ == "__main__":
    asyncio.run(main())

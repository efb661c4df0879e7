#!/usr/bin/env python3
"""A stand-in model server for the serving runtime conformance suite.

  serving_stub.py PORT [MODEL VERSION]

Listens on 127.0.0.1:PORT and prints "serving-stub ready port=PORT model=MODEL version=VERSION" once it
listens, then one "request GET /path 200" line per request.

  GET /ping         200, as `mlflow models serve` answers once its model has loaded
  GET /env/NAME     200 with the value of the environment variable NAME, 404 when unset
  GET /pid          200 with its process ID

Environment switches for the runtime-specific tests:
  STUB_IGNORE_SIGTERM=1   ignore SIGTERM, so that only SIGKILL stops it
  STUB_SPAWN_CHILD=1      start a `sleep` child in its process group and print "child pid=N"
  STUB_SLOW_EXIT=1        on SIGTERM, end the main thread at once and the process 1.5 s later with
                          exit code 7 (the kernel shows the process as a zombie meanwhile)
"""
import http.server
import os
import signal
import subprocess
import sys
import threading
import time


class Handler(http.server.BaseHTTPRequestHandler):
    def answer(self, status, text):
        body = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/ping":
            self.answer(200, "\n")
        elif self.path == "/pid":
            self.answer(200, str(os.getpid()))
        elif self.path.startswith("/env/"):
            value = os.environ.get(self.path[len("/env/"):])
            self.answer(404, "") if value is None else self.answer(200, value)
        else:
            self.answer(404, "")

    def log_request(self, code="-", size="-"):
        print("request %s %s %s" % (self.command, self.path, code), flush=True)

    def log_message(self, *args):
        pass


def main():
    port = int(sys.argv[1])
    model = sys.argv[2] if len(sys.argv) > 2 else ""
    version = sys.argv[3] if len(sys.argv) > 3 else ""
    if os.environ.get("STUB_IGNORE_SIGTERM") == "1":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if os.environ.get("STUB_SLOW_EXIT") == "1":
        def slow_exit(signum, frame):
            def finish():
                time.sleep(1.5)
                print("slow exit done", flush=True)
                os._exit(7)
            threading.Thread(target=finish).start()
            print("main thread ending", flush=True)
            import ctypes
            ctypes.CDLL(None).pthread_exit(None)
        signal.signal(signal.SIGTERM, slow_exit)
    if os.environ.get("STUB_SPAWN_CHILD") == "1":
        child = subprocess.Popen(["sleep", "300"], stdin=subprocess.DEVNULL)
        print("child pid=%d" % child.pid, flush=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("serving-stub ready port=%d model=%s version=%s" % (port, model, version), flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

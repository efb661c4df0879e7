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
STAND_IN_START_SECONDS delays listening (a model that takes time to load).
"""
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

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def answer(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/ping":
                self.answer(503 if mode == "unready" else 200, {})
            else:
                self.answer(404, {"error": "not found"})

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            if self.path != "/invocations":
                self.answer(404, {"error": "not found"})
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

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("listening on 127.0.0.1:%d" % port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()

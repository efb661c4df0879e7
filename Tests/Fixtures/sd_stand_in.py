#!/usr/bin/env python3
"""A stand-in for autoserve-agent's discovery and metrics routes, for checking the shipped Prometheus
configuration with a real Prometheus.

  sd_stand_in.py TARGETS_JSON

Listens on a free port of 127.0.0.1 and prints "port N" once ready.

  GET /sd       200 application/json: TARGETS_JSON (Prometheus HTTP SD groups)
  GET /metrics  200 text/plain: one gauge in the exposition format
"""
import http.server
import sys

TARGETS = sys.argv[1].encode()
METRICS = b"# HELP mlflow_registered_models_total Registered models.\n" \
          b"# TYPE mlflow_registered_models_total gauge\nmlflow_registered_models_total 1\n"


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/sd":
            body, kind = TARGETS, "application/json"
        elif self.path == "/metrics":
            body, kind = METRICS, "text/plain; version=0.0.4; charset=utf-8"
        else:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"port {server.server_address[1]}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass

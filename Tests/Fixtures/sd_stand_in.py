#!/usr/bin/env python3
"""A stand-in for autoserve-agent's discovery and metrics routes, for checking the shipped Prometheus
configuration with a real Prometheus.

  sd_stand_in.py TARGETS_JSON

Listens on a free port of 127.0.0.1 and prints "port N" once ready.

  GET /sd       200 application/json: TARGETS_JSON (Prometheus HTTP SD groups)
  GET /metrics  200 text/plain: a registry exporter gauge, an agent counter and the gateway's request
                series (as GatewayMetrics renders them) in the exposition format
"""
import http.server
import sys

TARGETS = sys.argv[1].encode()
IRIS = 'model="iris",alias="Production",version="3"'
HIGHR = [("0.01", 0), ("0.025", 0), ("0.05", 9), ("0.075", 9), ("0.1", 10), ("60.0", 10), ("+Inf", 10)]
METRICS = "\n".join([
    "# HELP mlflow_registered_models_total Registered models.",
    "# TYPE mlflow_registered_models_total gauge",
    "mlflow_registered_models_total 1",
    "# TYPE autoserve_reconcile_total counter",
    'autoserve_reconcile_total{result="success"} 4',
    "# TYPE http_requests_total counter",
    f'http_requests_total{{{IRIS},method="POST",handler="/invocations",status="2xx"}} 9',
    f'http_requests_total{{{IRIS},method="POST",handler="/invocations",status="5xx"}} 1',
    "# TYPE http_request_duration_highr_seconds histogram",
    *[f'http_request_duration_highr_seconds_bucket{{le="{le}"}} {n}' for le, n in HIGHR],
    "http_request_duration_highr_seconds_sum 0.36",
    "http_request_duration_highr_seconds_count 10",
    "# TYPE autoserve_gateway_requests_in_flight gauge",
    f"autoserve_gateway_requests_in_flight{{{IRIS}}} 0.0",
    "",
]).encode()


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

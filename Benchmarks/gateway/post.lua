-- wrk script of the gateway benchmark: POST the invocation body, then print one JSON line (prefixed
-- with "wrk-json ") with the latency percentiles, the request rate and every error, non-2xx/3xx
-- answers included (wrk counts those in summary.errors.status).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = os.getenv("GATEWAY_BENCH_BODY") or '{"dataframe_split":{"columns":["a","b","c","d"],"data":[[5.1,3.5,1.4,0.2]]}}'

function done(summary, latency, requests)
    local errors = summary.errors
    io.write(string.format(
        'wrk-json {"requests":%d,"duration_us":%d,"requests_per_s":%.1f,"p50_us":%d,"p99_us":%d,'
            .. '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        latency:percentile(50), latency:percentile(99),
        errors.connect, errors.read, errors.write, errors.status, errors.timeout))
end

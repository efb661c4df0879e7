#!/usr/bin/env python3
"""A fake S3 server whose listings hold keys that no real test server will store, for `mlops s3 cp
--recursive` tests: keys with `..`, `.` or empty segments, which SeaweedFS and the JuiceFS gateway refuse
or normalise on upload, but which S3 itself and other servers may hold.

It follows the published contract of the two requests a recursive download makes: ListObjectsV2
(`GET /<bucket>?list-type=2&prefix=…`, one page, the `<ListBucketResult>` document with
`<EncodingType>url</EncodingType>` and URL-encoded keys when `encoding-type=url` was asked for) and
HeadObject/GetObject of any key (the body is the key itself, with its MD5 as the ETag). Signatures are
not checked. Every request's method and path is appended to the file named by --log, so a test can
tell whether anything was downloaded.

Usage: s3_hostile_listing_server.py --log FILE KEY...   (prints "port N", exits when stdin closes)
"""
import argparse
import hashlib
import http.server
import socketserver
import sys
import threading
from urllib.parse import parse_qs, quote, unquote, urlparse
from xml.sax.saxutils import escape

KEYS = []
LOG = None
LOCK = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=None, send_body=True):
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def handle_request(self, send_body):
        url = urlparse(self.path)
        with LOCK:
            with open(LOG, "a", encoding="utf-8") as log:
                log.write("%s %s\n" % (self.command, url.path))
        query = parse_qs(url.query, keep_blank_values=True)
        parts = url.path.lstrip("/").split("/", 1)
        if len(parts) == 1 or parts[1] == "":
            if query.get("list-type") != ["2"]:
                return self.reply(501, b"", send_body=send_body)
            prefix = query.get("prefix", [""])[0]
            encode = query.get("encoding-type") == ["url"]
            keys = sorted(key for key in KEYS if key.startswith(prefix))
            contents = "".join(
                "<Contents><Key>%s</Key><LastModified>2025-01-02T03:04:05.000Z</LastModified>"
                '<ETag>"%s"</ETag><Size>%d</Size><StorageClass>STANDARD</StorageClass></Contents>'
                % (escape(quote(key, safe="/") if encode else key), hashlib.md5(key.encode()).hexdigest(),
                   len(key.encode()))
                for key in keys)
            document = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                "<Name>%s</Name><Prefix>%s</Prefix><KeyCount>%d</KeyCount><MaxKeys>1000</MaxKeys>"
                "%s<IsTruncated>false</IsTruncated>%s</ListBucketResult>"
                % (escape(parts[0]), escape(quote(prefix, safe="/") if encode else prefix), len(keys),
                   "<EncodingType>url</EncodingType>" if encode else "", contents))
            return self.reply(200, document.encode(), {"Content-Type": "application/xml"}, send_body)
        body = unquote(parts[1]).encode()
        headers = {"ETag": '"%s"' % hashlib.md5(body).hexdigest(), "Content-Type": "application/octet-stream"}
        self.send_response(200)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def do_GET(self):
        self.handle_request(send_body=True)

    def do_HEAD(self):
        self.handle_request(send_body=False)


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    global LOG
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True, help="append each request's method and path here")
    parser.add_argument("keys", nargs="*", help="the keys every listing holds")
    args = parser.parse_args()
    LOG = args.log
    KEYS.extend(args.keys)
    server = Server(("127.0.0.1", 0), Handler)
    print("port %d" % server.server_address[1], flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sys.stdin.read()  # returns when the parent closes our stdin or exits
    server.shutdown()


if __name__ == "__main__":
    main()

"""A local HTTP server standing in for object storage behind presigned URLs.

It serves the objects put in it at GET /<name>, records every PUT with its
headers and body, and answers with the statuses queued for a path before
serving it normally, with an S3-style XML error body.
"""

import http.server
import threading
from dataclasses import dataclass


@dataclass
class Put:
    """One recorded upload."""

    content_type: str
    content_length: str
    transfer_encoding: str
    body: bytes


class Bucket:
    """The server; use as a context manager."""

    def __init__(self):
        self.objects = {}  # path -> bytes served by GET
        self.puts = {}  # path -> Put
        self.failures = {}  # path -> statuses to answer first, in order
        self.requests = []  # (method, path) of every request
        bucket = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                if self._failed():
                    return
                data = bucket.objects.get(self._path())
                if data is None:
                    self._error(404, "NoSuchKey")
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_PUT(self):
                length = self.headers.get("Content-Length")
                body = self.rfile.read(int(length)) if length else b""
                if self._failed():
                    return
                bucket.puts[self._path()] = Put(self.headers.get("Content-Type"), length,
                                                self.headers.get("Transfer-Encoding"), body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _path(self):
                return self.path.split("?", 1)[0]

            def _failed(self):
                bucket.requests.append((self.command, self._path()))
                queued = bucket.failures.get(self._path())
                if queued:
                    status = queued.pop(0)
                    self._error(status, "SignatureDoesNotMatch" if status == 403 else "InternalError")
                    return True
                return False

            def _error(self, status, code):
                body = f"<?xml version=\"1.0\"?><Error><Code>{code}</Code></Error>".encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,), daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

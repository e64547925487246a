"""``shapewise serve``: the page on http://127.0.0.1:PORT/, standard library only.

Why worker processes (and not only threads): the interpreter keeps process-wide state while it runs (Keras's
auto-naming session, its step counter, the paused garbage collector) and measures its time budget in process CPU
time, so two snippets must not run in one process at once. Each request is handed to one of a few worker
processes (a ThreadingHTTPServer thread waits on it); a worker that runs past the wall-clock limit (the
interpreter's own budgets failing, or a busy machine) is killed and replaced, so a hostile snippet holds one
worker for at most that long and the others keep answering.

Safety: the server binds 127.0.0.1 only; it refuses a ``Host`` header that is not its own address and port (DNS
rebinding) and a foreign ``Origin``; a body over 1 MB is refused with 413 before it is read; the page's assets
are read into memory once at start, so no request ever opens a file.
"""

from __future__ import annotations

import json
import os
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

MAX_BODY = 1_000_000  # bytes
WALL_TIMEOUT = 30.0  # seconds a worker may take for one request before it is killed (the interpreter has 5 s CPU)
WAIT_TIMEOUT = 30.0  # seconds a request waits for a free worker before a 503
START_TIMEOUT = 60.0  # seconds a new worker may take to start (not counted in a request's time)

_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}
_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


def load_assets():
    """{url path: (content type, bytes)} for every file in the package's static folder, read once."""
    assets = {}
    root = resources.files("shapewise.web") / "static"
    for entry in root.iterdir():
        suffix = os.path.splitext(entry.name)[1]
        if entry.is_file() and suffix in _TYPES:
            assets["/static/" + entry.name] = (_TYPES[suffix], entry.read_bytes())
    assets["/"] = assets["/static/index.html"]
    from .examples import EXAMPLES

    examples = [{"title": title, "source": source} for title, source in EXAMPLES]
    assets["/static/examples.json"] = ("application/json; charset=utf-8",
                                       json.dumps(examples, indent=1).encode("utf-8"))
    return assets


# ---------------------------------------------------------------------------------------------------- workers


class WorkerTimeout(Exception):
    """The worker did not answer in time (it was killed and replaced)."""


class WorkerFailed(Exception):
    """The worker ended without answering (it was replaced)."""


def _package_root():
    return os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class _Worker:
    """One ``python -m shapewise.web.worker`` process and its pipes."""

    def __init__(self):
        env = dict(os.environ)
        paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
        env["PYTHONPATH"] = os.pathsep.join([_package_root(), *paths])
        self.process = subprocess.Popen([sys.executable, "-m", "shapewise.web.worker"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env, close_fds=True)
        self._fd = self.process.stdout.fileno()
        self._started = False

    def _read(self, n, deadline):
        chunks = []
        while n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                raise WorkerTimeout
            chunk = os.read(self._fd, min(n, 1 << 20))
            if not chunk:
                raise EOFError("the worker ended")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _frame(self, deadline):
        (n,) = struct.unpack(">I", self._read(4, deadline))
        return self._read(n, deadline)

    def call(self, request, timeout):
        if not self._started:  # its first request waits for it to be ready, outside the request's own time
            if self._frame(time.monotonic() + START_TIMEOUT) != b"ready":
                raise EOFError("the worker did not start")
            self._started = True
        data = json.dumps(request).encode("utf-8")
        self.process.stdin.write(struct.pack(">I", len(data)) + data)
        self.process.stdin.flush()
        deadline = time.monotonic() + timeout
        status, ctype, code = json.loads(self._frame(deadline))
        return status, ctype, self._frame(deadline), code

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass


class WorkerPool:
    """A few worker processes, each running one request at a time; a worker that overruns is replaced."""

    def __init__(self, size=2, timeout=WALL_TIMEOUT):
        self.timeout = timeout
        self._idle = queue.Queue()
        self._all = []
        self._lock = threading.Lock()
        for _ in range(size):
            self._idle.put(self._new())

    def _new(self):
        worker = _Worker()
        with self._lock:
            self._all.append(worker)
        return worker

    def call(self, request):
        """(status, content type, body, exit code); raises queue.Empty when every worker stays busy."""
        worker = self._idle.get(timeout=WAIT_TIMEOUT)
        if worker.process.poll() is not None:  # it ended while idle (killed from outside): a fresh one
            self._retire(worker)
            worker = self._new()
        try:
            return worker.call(request, self.timeout)
        except WorkerTimeout:
            self._retire(worker)
            worker = self._new()
            raise
        except (EOFError, OSError, ValueError, struct.error) as e:
            self._retire(worker)
            worker = self._new()
            raise WorkerFailed(str(e)) from None
        finally:
            self._idle.put(worker)

    def _retire(self, worker):
        worker.stop()
        with self._lock:
            self._all.remove(worker)

    def close(self):
        with self._lock:
            workers, self._all = self._all, []
        for w in workers:
            w.stop()


# ------------------------------------------------------------------------------------------------------- HTTP


def _json_error(message):
    return json.dumps({"error": {"message": message}}).encode("utf-8") + b"\n"


class Handler(BaseHTTPRequestHandler):
    server_version = "shapewise"
    sys_version = ""
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds of silence before a connection is dropped (a client that never sends its body)

    def log_message(self, format, *args):  # (the base class's argument names)
        if self.server.verbose:
            super().log_message(format, *args)

    def _send(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Content-Security-Policy", _CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Cache-Control", "no-store")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self, status, message):
        self.close_connection = True
        self._send(status, "application/json; charset=utf-8", _json_error(message), [("Connection", "close")])

    def _host_ok(self):
        host = self.headers.get("Host")
        return host is not None and host.lower() in self.server.allowed_hosts

    def _origin_ok(self):
        origin = self.headers.get("Origin")
        return origin is None or origin.lower() in self.server.allowed_origins

    def handle_expect_100(self):
        # "Expect: 100-continue": refuse an oversized body before the client sends it
        try:
            too_large = int(self.headers.get("Content-Length", "0")) > MAX_BODY
        except ValueError:
            too_large = False
        if too_large:
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY:,} bytes")
            return False
        return super().handle_expect_100()

    def do_GET(self):
        if not self._host_ok():
            return self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its own address")
        path = self.path.split("?", 1)[0]
        asset = self.server.assets.get(path)
        if asset is None:
            return self._refuse(HTTPStatus.NOT_FOUND, f"nothing at {path}")
        self._send(HTTPStatus.OK, asset[0], asset[1])

    do_HEAD = do_GET

    def do_POST(self):
        if not self._host_ok():
            return self._refuse(HTTPStatus.MISDIRECTED_REQUEST, "this server answers only to its own address")
        if not self._origin_ok():
            return self._refuse(HTTPStatus.FORBIDDEN, "requests from other sites are refused")
        kind = {"/api/explain": "explain", "/api/whatif": "whatif"}.get(self.path)
        if kind is None:
            return self._refuse(HTTPStatus.NOT_FOUND, f"nothing at {self.path}")
        if self.headers.get("Transfer-Encoding"):
            return self._refuse(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            return self._refuse(HTTPStatus.LENGTH_REQUIRED, "send the body with a Content-Length")
        if length > MAX_BODY:
            return self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"the body is over {MAX_BODY:,} bytes")
        if length < 0:
            return self._refuse(HTTPStatus.BAD_REQUEST, "a negative Content-Length")
        try:
            body = json.loads(self.rfile.read(length))
        except (ValueError, UnicodeDecodeError, RecursionError):
            return self._refuse(HTTPStatus.BAD_REQUEST, 'the body must be JSON: {"source": "<python code>"}')
        if not isinstance(body, dict) or not isinstance(body.get("source"), str):
            return self._refuse(HTTPStatus.BAD_REQUEST, 'the body must be {"source": "<python code>"}')
        payload = body["source"] if kind == "explain" else body
        try:
            status, ctype, answer, code = self.server.pool.call((kind, payload))
        except queue.Empty:
            return self._refuse(HTTPStatus.SERVICE_UNAVAILABLE, "every worker is busy: try again in a moment")
        except WorkerTimeout:
            return self._refuse(HTTPStatus.GATEWAY_TIMEOUT,
                                f"this snippet took longer than {self.server.pool.timeout:g} s and was stopped")
        except WorkerFailed:
            return self._refuse(HTTPStatus.INTERNAL_SERVER_ERROR,
                                "the worker explaining this snippet stopped (out of memory?); it has been replaced")
        self._send(status, ctype, answer, [("X-Shapewise-Exit", str(code))])


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port=0, workers=2, timeout=WALL_TIMEOUT, verbose=False):
        super().__init__(("127.0.0.1", port), Handler)
        self.port = self.server_address[1]
        self.allowed_hosts = {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}
        self.allowed_origins = {"http://" + h for h in self.allowed_hosts}
        self.assets = load_assets()
        self.verbose = verbose
        self.pool = WorkerPool(workers, timeout)

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/"

    def server_close(self):
        super().server_close()
        pool = getattr(self, "pool", None)  # absent when the bind failed (socketserver closes at once)
        if pool is not None:
            pool.close()


def serve(port=0, open_browser=False, workers=None):
    """Run the server until Ctrl+C; returns the exit status."""
    workers = workers or max(2, min(4, os.cpu_count() or 2))
    try:
        server = Server(port, workers)
    except OSError as e:
        print(f"shapewise: cannot listen on 127.0.0.1:{port}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"shapewise: serving on {server.url} (Ctrl+C to stop)", flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0

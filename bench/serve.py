"""Benchmark of `shapewise serve`: the answer time of POST /api/explain beside in-process explain.

    python bench/serve.py            # prints a table and writes bench/RESULTS-serve.md

For each seed model (tests/seed/*.py) and DenseNet121 at 224 and 512: the median wall time of repeated requests to
a local server (the request, a worker process interpreting and rendering the JSON, the answer over the socket),
beside the median of the same code path in this process (`interpret` + `render(result, "json")`), so the
difference is what the server adds (the hop to a worker, JSON framing, HTTP). Requests are made one at a time.
"""

from __future__ import annotations

import http.client
import json
import os
import platform
import statistics
import sys
import threading
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("KERAS_BACKEND", "torch")

from shapewise.web.api import explain  # noqa: E402
from shapewise.web.examples import DENSENET  # noqa: E402
from shapewise.web.server import Server  # noqa: E402


def cases():
    out = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted((ROOT / "tests" / "seed").glob("*.py"))]
    out += [("DenseNet121 at 224", DENSENET.format(size=224)), ("DenseNet121 at 512", DENSENET.format(size=512))]
    return out


def median_time(fn, repeats):
    fn()  # warm
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats=9):
    # in-process first, with no server threads or workers alive in this process
    local_times = {name: median_time(lambda source=source: explain(source), repeats) for name, source in cases()}
    server = Server(port=0, workers=2)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rows = []
    try:
        for name, source in cases():
            body = json.dumps({"source": source}).encode()

            def over_http(body=body):
                conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
                conn.request("POST", "/api/explain", body, {"Content-Type": "application/json"})
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                assert resp.status == 200, resp.status
                return data

            size = len(over_http())
            served = median_time(over_http, repeats)
            local = local_times[name]
            rows.append((name, size, local, served))
            print(f"{name:40s} {size / 1024:8.1f} KiB  in-process {local * 1000:7.1f} ms  "
                  f"served {served * 1000:7.1f} ms")
    finally:
        server.shutdown()
        server.server_close()
    lines = [
        "# `shapewise serve` benchmark",
        "",
        f"Measured by `python bench/serve.py` on this machine ({os.cpu_count()} cores, shared), {date.today()}, "
        f"Python {platform.python_version()}. Medians of {repeats} requests, one at a time, after one warm-up.",
        "In-process: `interpret` + `render(result, \"json\")` (what the worker runs); served: `POST /api/explain` "
        "to a local server with 2 worker processes, the whole round trip. The machine is shared with other work: "
        "differences of a few ms (either way) are noise; the server adds about a millisecond plus the transfer of the "
        "JSON.",
        "",
        "| snippet | JSON | in-process | served | server adds |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, size, local, served in rows:
        lines.append(f"| {name} | {size / 1024:.1f} KiB | {local * 1000:.1f} ms | {served * 1000:.1f} ms | "
                     f"{(served - local) * 1000:+.1f} ms |")
    (HERE / "RESULTS-serve.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

"""``shapewise serve``: the API answers exactly what the command line prints, and the server's refusals hold.

The server runs in this process (a thread) with its worker processes; requests go over real sockets.
"""

import glob
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shapewise.cli import EXAMPLE
from shapewise.web.server import MAX_BODY, Server

SEEDS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "seed", "*.py")))
HOSTILE = "import keras\nfor i in range(1000):\n    m = keras.applications.DenseNet121(weights=None)\n"
SHAPE_ERROR = "import keras\nfrom keras import layers\nmodel = keras.Sequential()\nmodel.add(keras.Input((10,)))\n" \
              "model.add(layers.LSTM(4))\n"


@pytest.fixture(scope="module")
def server():
    srv = Server(port=0, workers=2, timeout=4.0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def request(srv, method, path, body=None, headers=None, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=timeout)
    hdrs = {"Content-Type": "application/json"}
    hdrs.update(headers or {})
    data = json.dumps(body).encode() if body is not None and not isinstance(body, bytes) else body
    conn.request(method, path, body=data, headers=hdrs)
    resp = conn.getresponse()
    out = resp.status, dict(resp.getheaders()), resp.read()
    conn.close()
    return out


def cli_json(path):
    return subprocess.run([sys.executable, "-m", "shapewise", "explain", "--format", "json", path],
                          capture_output=True, check=False, env={**os.environ, "KERAS_BACKEND": "torch"}).stdout


@pytest.mark.parametrize("path", SEEDS, ids=[os.path.basename(p)[:-3] for p in SEEDS])
def test_api_equals_the_cli_json_byte_for_byte(server, path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    status, headers, body = request(server, "POST", "/api/explain", {"source": source})
    assert status == 200
    assert headers["Content-Type"].startswith("application/json")
    assert body == cli_json(path)
    assert json.loads(body)["schema"] == "shapewise/1"


def test_api_reports_a_shape_error_as_the_cli_does(server, tmp_path):
    path = tmp_path / "bad.py"
    path.write_text(SHAPE_ERROR)
    status, headers, body = request(server, "POST", "/api/explain", {"source": SHAPE_ERROR})
    assert status == 200 and headers["X-Shapewise-Exit"] == "1"
    assert body == cli_json(str(path))
    error = json.loads(body)["error"]
    assert error["layer"] == "lstm" and error["line"] == 5


def test_the_page_and_its_assets_are_served_from_memory(server):
    status, headers, body = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<textarea" in body
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    for name in ("app.js", "style.css"):
        status, _, asset = request(server, "GET", "/static/" + name)
        assert status == 200 and len(asset) > 1000
    # no path reaches the file system
    for path in ("/static/../server.py", "/static/../../cli.py", "/etc/passwd", "/static/%2e%2e/api.py", "/api.py"):
        assert request(server, "GET", path)[0] == 404


@pytest.mark.parametrize("host", ["evil.example:80", "127.0.0.1:1", "localhost", "127.0.0.1", "[::1]:8765",
                                  "0.0.0.0"])
def test_a_foreign_host_header_is_refused(server, host):
    # DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 sends its own Host
    status, _, body = request(server, "POST", "/api/explain", {"source": EXAMPLE}, {"Host": host})
    assert 400 <= status < 500 and b"schema" not in body
    assert 400 <= request(server, "GET", "/", headers={"Host": host})[0] < 500


def test_its_own_host_names_are_accepted(server):
    for host in (f"127.0.0.1:{server.port}", f"localhost:{server.port}"):
        assert request(server, "GET", "/", headers={"Host": host})[0] == 200


def test_a_foreign_origin_is_refused(server):
    status, _, _ = request(server, "POST", "/api/explain", {"source": EXAMPLE}, {"Origin": "http://evil.example"})
    assert status == 403
    own = f"http://127.0.0.1:{server.port}"
    assert request(server, "POST", "/api/explain", {"source": EXAMPLE}, {"Origin": own})[0] == 200


def test_a_body_over_1_mb_is_refused_with_413_before_it_is_read(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/explain")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(MAX_BODY + 1))
    conn.endheaders()  # the body is never sent: the answer comes from the length alone
    resp = conn.getresponse()
    assert resp.status == 413
    conn.close()
    big = json.dumps({"source": "x = 1\n" * (MAX_BODY // 6 + 10)}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.putrequest("POST", "/api/explain")
    conn.putheader("Content-Length", str(len(big)))
    conn.putheader("Expect", "100-continue")
    conn.endheaders()
    assert conn.getresponse().status == 413
    conn.close()
    # exactly at the limit is read (and answered)
    source = "#" + "a" * (MAX_BODY - 20)
    body = json.dumps({"source": source}).encode()
    assert len(body) <= MAX_BODY
    assert request(server, "POST", "/api/explain", body)[0] == 200


@pytest.mark.parametrize("body", [b"not json", b'["source"]', b'{"source": 3}', b'{"code": "x"}', b"\xff\xfe",
                                  b"[" * 200_000 + b"]" * 200_000], ids=["text", "list", "number", "no-source",
                                                                         "not-utf8", "nested-200000-deep"])
def test_a_malformed_body_is_a_400(server, body):
    status, _, answer = request(server, "POST", "/api/explain", body)
    assert status == 400 and b"source" in answer


def test_unknown_paths_are_404(server):
    assert request(server, "POST", "/api/run", {"source": EXAMPLE})[0] == 404
    assert request(server, "GET", "/api/explain")[0] == 404


def test_a_hostile_slow_snippet_does_not_block_another_request(server):
    results = {}

    def hostile():
        start = time.monotonic()
        results["hostile"] = request(server, "POST", "/api/explain", {"source": HOSTILE})[0]
        results["hostile_s"] = time.monotonic() - start

    thread = threading.Thread(target=hostile)
    thread.start()
    time.sleep(0.3)  # the hostile snippet is running in one worker
    start = time.monotonic()
    status, _, body = request(server, "POST", "/api/explain", {"source": EXAMPLE})
    answered = time.monotonic() - start
    still_running = thread.is_alive()
    thread.join(60)
    assert status == 200 and json.loads(body)["models"][0]["layers"][0]["params"] == 12416
    assert still_running, "the second request should be answered while the hostile one still runs"
    # the hostile one is stopped at the server's wall-clock limit (4 s here), its worker replaced
    assert results["hostile"] == 504 and results["hostile_s"] < 20
    assert answered < results["hostile_s"]
    # and the pool is whole again: two requests at once are both answered
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(request(server, "POST", "/api/explain",
                                                                      {"source": EXAMPLE})[0])) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [200, 200]


LSTM_TWO = (Path(__file__).parent / "seed" / "lstm_timesteps_two_models.py").read_text(encoding="utf-8")


def test_what_if_edits_the_literal_and_returns_both_reports(server):
    status, _, body = request(server, "POST", "/api/whatif", {
        "source": EXAMPLE, "model": 0, "changes": [{"input": "input_layer", "axis": 1, "size": 100}]})
    assert status == 200
    answer = json.loads(body)
    line = EXAMPLE.splitlines()[6]
    assert answer["edits"] == [{"line": 7, "column": line.index("(10, 64)") + 2, "old": "10", "new": "100",
                                "input": "input_layer", "axis": 1}]
    assert "input_shape=(100, 64)" in answer["source"]
    before, after = answer["before"]["models"][0], answer["after"]["models"][0]
    # both reports are the command line's for each source
    assert answer["before"] == json.loads(request(server, "POST", "/api/explain", {"source": EXAMPLE})[2])
    assert answer["after"] == json.loads(request(server, "POST", "/api/explain", {"source": answer["source"]})[2])
    assert before["layers"][0]["input_shape"] == [None, 10, 64]
    assert after["layers"][0]["input_shape"] == [None, 100, 64]
    assert before["total_params"] == after["total_params"]


def test_what_if_finds_the_literal_behind_a_name(server):
    status, _, body = request(server, "POST", "/api/whatif", {
        "source": LSTM_TWO, "model": 0, "changes": [{"input": "input_layer", "axis": 2, "size": 50}]})
    assert status == 200
    answer = json.loads(body)
    assert answer["edits"][0]["line"] == 4 and "featrue = 50" in answer["source"]
    # the second model reads the same name: it changes too, and the report says so
    assert [m["layers"][0]["input_shape"][2] for m in answer["after"]["models"]] == [50, 50]


@pytest.mark.parametrize("request_body, fragment", [
    ({"source": EXAMPLE, "changes": [{"input": "input_layer", "axis": 5, "size": 3}]}, "no known axis 5"),
    ({"source": EXAMPLE, "changes": [{"input": "input_layer", "axis": 1, "size": 0}]}, "from 1 to"),
    ({"source": EXAMPLE, "changes": []}, "changes"),
    ({"source": SHAPE_ERROR, "changes": [{"input": "input_layer", "axis": 1, "size": 3}]}, "no model"),
    ({"source": "import keras\nm = keras.Sequential([keras.layers.Dense(3, input_shape=(2 * 5,))])\n",
      "changes": [{"input": "input_layer", "axis": 1, "size": 12}]}, "no number 10"),
    ({"source": "import keras\nm = keras.Sequential([keras.Input((64, 64, 3)), keras.layers.Conv2D(8, 5)])\n",
      "changes": [{"input": "input_layer", "axis": 1, "size": 3}]}, "changing the 64 on line 2 to 3 breaks the model"),
], ids=["no-such-axis", "size-zero", "no-changes", "shape-error", "computed-dim", "breaks-the-model"])
def test_what_if_refusals_are_clear(server, request_body, fragment):
    status, headers, body = request(server, "POST", "/api/whatif", request_body)
    assert status == 200 and headers["X-Shapewise-Exit"] == "2"
    assert fragment in json.loads(body)["error"]["message"]


def test_what_if_densenet_image_size(server):
    from shapewise.web.examples import DENSENET

    source = DENSENET.format(size=224)
    status, _, body = request(server, "POST", "/api/whatif", {"source": source, "model": 0, "changes": [
        {"input": "input_layer", "axis": 1, "size": 512}, {"input": "input_layer", "axis": 2, "size": 512}]})
    assert status == 200
    answer = json.loads(body)
    assert [(e["old"], e["new"], e["axis"]) for e in answer["edits"]] == [("224", "512", 1), ("224", "512", 2)]
    assert answer["source"] == DENSENET.format(size=512)
    # the answer is the command line's JSON for each source: the engine's numbers (checked against Keras elsewhere)
    assert answer["after"] == json.loads(request(server, "POST", "/api/explain", {"source": answer["source"]})[2])
    assert answer["before"]["models"][0]["layers"][0]["output_shape"] == [None, 224, 224, 1]
    assert answer["after"]["models"][0]["layers"][0]["output_shape"] == [None, 512, 512, 1]


def test_shapewise_serve_prints_its_address_and_answers(tmp_path):
    proc = subprocess.Popen([sys.executable, "-m", "shapewise", "serve", "--port", "0"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, "KERAS_BACKEND": "torch"})
    try:
        line = proc.stdout.readline()
        assert line.startswith("shapewise: serving on http://127.0.0.1:")
        url = line.split()[3]
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert url == f"http://127.0.0.1:{port}/"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/api/explain", json.dumps({"source": EXAMPLE}), {"Content-Type": "application/json"})
        resp = conn.getresponse()
        assert resp.status == 200 and json.loads(resp.read())["models"][0]["total_params"] == 12482
        conn.close()
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
        proc.stderr.close()


def test_serve_refuses_a_port_in_use(server):
    out = subprocess.run([sys.executable, "-m", "shapewise", "serve", "--port", str(server.port)], check=False,
                         capture_output=True, text=True, timeout=60, env={**os.environ, "KERAS_BACKEND": "torch"})
    assert out.returncode == 2 and f"cannot listen on 127.0.0.1:{server.port}" in out.stderr


def test_a_worker_that_dies_is_replaced(server):
    # killed while idle: the next requests are answered by fresh workers
    for worker in list(server.pool._all):
        worker.process.kill()
        worker.process.wait(10)
    for _ in range(3):
        assert request(server, "POST", "/api/explain", {"source": EXAMPLE})[0] == 200
    # killed while it explains: that request is a clear 500, and the pool is whole again
    results = {}
    thread = threading.Thread(target=lambda: results.update(
        status=request(server, "POST", "/api/explain", {"source": HOSTILE})))
    thread.start()
    deadline = time.monotonic() + 10
    busy = None
    while busy is None and time.monotonic() < deadline:
        time.sleep(0.05)
        idle = set(map(id, list(server.pool._idle.queue)))
        busy = next((w for w in list(server.pool._all) if id(w) not in idle), None)
    assert busy is not None
    busy.process.kill()
    thread.join(30)
    status, _, body = results["status"]
    assert status == 500 and b"stopped" in body
    assert [request(server, "POST", "/api/explain", {"source": EXAMPLE})[0] for _ in range(2)] == [200, 200]
    assert len(server.pool._all) == 2

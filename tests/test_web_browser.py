"""The page in a real browser: headless Chromium (Debian's ``chromium``) driven by Playwright.

One browser session walks through the page as a newcomer would: the seed LSTM question, a click on the LSTM for
the why, a shape error shown in place, the what-if control, a nested model, keyboard use and dark mode. The
session fails if the page asks for anything outside 127.0.0.1 or logs a console error. Screenshots of each state
are written to tests/artifacts/ (git-ignored). The numbers expected on the page come from real Keras.
"""

import json
import os
import threading
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from shapewise.web.server import Server

HERE = os.path.dirname(__file__)
ARTIFACTS = os.path.join(HERE, "artifacts")
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LSTM_SEED = Path(os.path.join(HERE, "seed", "lstm_question.py")).read_text(encoding="utf-8")
SHAPE_ERROR = ("import keras\nfrom keras import layers\n\nmodel = keras.Sequential()\nmodel.add(keras.Input((10,)))\n"
               "model.add(layers.Dense(16))\nmodel.add(layers.LSTM(4))\n")
CONV = ("from keras.models import Sequential\nfrom keras.layers import Conv2D, Flatten, Dense\n"
        "model = Sequential()\nmodel.add(Conv2D(32, 3, input_shape=(64, 64, 3)))\nmodel.add(Flatten())\n"
        "model.add(Dense(136))\n")


def keras_counts(build):
    """{layer name: params} and the total of a model built by real Keras."""
    import keras

    keras.backend.clear_session()
    model = build(keras)
    return {layer.name: layer.count_params() for layer in model.layers}, model.count_params()


def lstm(keras, timesteps=10):
    return keras.Sequential([keras.Input((timesteps, 64)), keras.layers.LSTM(32), keras.layers.Dense(2)])


def conv(keras, size=64):
    return keras.Sequential([keras.Input((size, size, 3)), keras.layers.Conv2D(32, 3), keras.layers.Flatten(),
                             keras.layers.Dense(136)])


@pytest.fixture(scope="module")
def server():
    srv = Server(port=0, workers=2)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def api(server, source):
    req = urllib.request.Request(server.url + "api/explain", json.dumps({"source": source}).encode(),
                                 {"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


@pytest.fixture(scope="module")
def browser_page(server, tmp_path_factory):
    os.makedirs(ARTIFACTS, exist_ok=True)
    problems = []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM, headless=True, args=ARGS,
            viewport={"width": 1366, "height": 820})

        def route(r):
            if r.request.url.startswith(server.url) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                problems.append(f"request outside 127.0.0.1: {r.request.url}")
                r.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        # a request the page aborts itself (an explain made stale by newer code) is by design, not a failure
        page.on("requestfailed", lambda r: None if r.failure == "net::ERR_ABORTED"
                else problems.append(f"request failed: {r.url} {r.failure}"))
        page.goto(server.url)
        page.wait_for_selector("[data-example]")
        yield page, problems
        context.close()


def type_source(page, source):
    page.fill("#source", source)  # an input event, as typing makes
    ready(page)


def ready(page):
    """Wait until the answer for the code now in the editor is drawn."""
    page.wait_for_selector("body[data-state=ready]", state="attached", timeout=60_000)


def shot(page, name, full_page=True):
    page.screenshot(path=os.path.join(ARTIFACTS, f"{name}.png"), full_page=full_page)


def test_the_lstm_question(browser_page):
    page, problems = browser_page
    params, total = keras_counts(lstm)
    type_source(page, LSTM_SEED)
    page.wait_for_function("document.querySelectorAll('#models [data-layer]').length === 2")
    assert page.locator("#models [data-layer]").evaluate_all("els => els.map(e => e.dataset.layer)") == \
        ["lstm", "dense"]
    box = page.locator('[data-layer="lstm"]')
    assert f"{params['lstm']:,}" in box.inner_text() and "(None, 32)" in box.inner_text()
    box.click()
    panel = page.locator("[data-explanation]")
    text = panel.inner_text()
    assert f"{params['lstm']:,}" == "12,416" and "12,416" in text
    assert "4·units·(features + units + 1)" in text  # the formula
    assert "features × 4·units = 64 × 128 = 8,192" in text  # a weight with its formula and numbers
    assert "timesteps" in text  # the free dim
    assert f"Total params: {total:,}" in page.locator("#models").inner_text()
    shot(page, "1-lstm-explained")
    assert not problems, problems


def test_a_shape_error_is_shown_in_place(browser_page, server):
    page, problems = browser_page
    expected = api(server, SHAPE_ERROR)["error"]
    type_source(page, SHAPE_ERROR)
    page.wait_for_selector("[data-error]")
    assert expected["message"] in page.locator("[data-error]").inner_text()
    assert page.locator(f'.backdrop .hl[data-error-line="{expected["line"]}"]').count() == 1
    assert "LSTM(4)" in page.locator(".backdrop .hl").inner_text()
    assert page.locator("#models [data-layer]").count() == 0  # nothing drawn as if it were a result
    shot(page, "2-shape-error")
    # and it goes away once the code is fixed
    type_source(page, LSTM_SEED)
    page.wait_for_selector('[data-layer="lstm"]')
    assert page.locator("[data-error]").count() == 0 and page.locator(".backdrop .hl").count() == 0
    assert not problems, problems


def test_what_if_timesteps_change_nothing_and_image_size_changes_dense(browser_page):
    page, problems = browser_page
    params_10, total_10 = keras_counts(lstm)
    params_100, total_100 = keras_counts(lambda k: lstm(k, 100))
    page.click('[data-example="LSTM(32) on (10, 64)"]')
    ready(page)
    page.wait_for_selector('[data-layer="lstm"]')
    page.fill('#whatif input[data-axis="1"]', "100")
    page.click("#whatif-run")
    page.wait_for_selector("[data-verdict]")
    verdict = page.locator("[data-verdict]")
    assert verdict.get_attribute("data-verdict") == ("same" if total_10 == total_100 else "changed")
    assert f"{total_10:,} → {total_100:,}" in verdict.inner_text()
    assert "line 7: 10 → 100" in page.locator("[data-whatif]").inner_text()
    # what changes (the LSTM's input) and what does not (its output and its parameters)
    lstm_row = page.locator('[data-layer-row="lstm"] td')
    assert " ".join(lstm_row.nth(1).inner_text().split()) == "(None, 10, 64) → (None, 100, 64)"
    assert params_10["lstm"] == params_100["lstm"]
    assert lstm_row.nth(2).inner_text() == "(None, 32)" and lstm_row.nth(3).inner_text() == f"{params_10['lstm']:,}"
    shot(page, "3-what-if-timesteps")

    # (at 64 and 100 rather than the seed's 320, which real Keras would allocate 1.7 GB of weights for)
    params_64, total_64 = keras_counts(conv)
    params_100, total_100 = keras_counts(lambda k: conv(k, 100))
    type_source(page, CONV)
    page.wait_for_selector('[data-layer="flatten"]')
    page.fill('#whatif input[data-axis="1"]', "100")
    page.fill('#whatif input[data-axis="2"]', "100")
    page.click("#whatif-run")
    page.wait_for_selector("[data-verdict]")
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "changed"
    assert f"{total_64:,} → {total_100:,}" in page.locator("[data-verdict]").inner_text()
    dense_row = page.locator('[data-layer-row="dense"]')
    assert " ".join(dense_row.locator("td.n").inner_text().split()) == f"{params_64['dense']:,} → {params_100['dense']:,}"
    conv_row = page.locator('[data-layer-row="conv2d"]')
    assert params_64["conv2d"] == params_100["conv2d"]
    assert conv_row.locator("td.n").inner_text() == f"{params_64['conv2d']:,}"  # unchanged: shown once
    shot(page, "4-what-if-image-size")
    page.click("text=Use this code")
    page.wait_for_function("document.querySelector('#source').value.includes('(100, 100, 3)')")
    ready(page)
    page.wait_for_selector('[data-layer="dense"]')
    assert f"{params_100['dense']:,}" in page.locator('[data-layer="dense"]').inner_text()
    assert not problems, problems


def test_a_nested_model_is_collapsible_and_keyboard_reaches_layers(browser_page):
    page, problems = browser_page
    source = Path(os.path.join(HERE, "seed", "densenet121_input_shape.py")).read_text(encoding="utf-8")
    type_source(page, source)
    page.wait_for_function("document.querySelectorAll('#models [data-layer=\"densenet121\"]').length === 2")
    inner = page.locator('[data-model-index="0"] [data-layer="conv1_conv"]')
    assert inner.count() == 0  # collapsed
    page.locator('[data-model-index="0"] [data-layer="densenet121"] button.toggle').click()
    page.wait_for_selector('[data-model-index="0"] [data-layer="conv1_conv"]')
    # keyboard: focus a layer and press Enter
    page.locator('[data-model-index="0"] [data-layer="conv1_conv"]').focus()
    page.keyboard.press("Enter")
    assert "conv1_conv" in page.locator("[data-explanation]").inner_text()
    page.emulate_media(color_scheme="dark")
    page.locator('[data-model-index="0"] [data-layer="densenet121"]').scroll_into_view_if_needed()
    page.evaluate("window.scrollTo(0, 0)")
    shot(page, "5-nested-dark", full_page=False)
    page.emulate_media(color_scheme="light")
    assert not problems, problems


def test_a_stale_answer_is_never_drawn_over_a_newer_one(browser_page):
    page, problems = browser_page
    slow = Path(os.path.join(HERE, "seed", "densenet121_input_shape.py")).read_text(encoding="utf-8")
    # the slow source, then at once the quick one: only the quick one may end up drawn
    page.evaluate("""([slow, quick]) => {
        const t = document.querySelector('#source');
        t.value = slow; t.dispatchEvent(new Event('input'));
        setTimeout(() => { t.value = quick; t.dispatchEvent(new Event('input')); }, 350);
    }""", [slow, LSTM_SEED])
    ready(page)
    page.wait_for_selector('#models [data-layer="lstm"]')
    page.wait_for_timeout(1500)
    assert page.locator('#models [data-layer="densenet121"]').count() == 0
    assert page.locator("#models [data-layer]").count() == 2
    assert not problems, problems


def test_a_torch_report_is_drawn_as_a_module_tree(browser_page):
    # The PyTorch front end is built in parallel: the page must already take its model objects (DESIGN.md).
    from test_web_svg import TORCH

    page, problems = browser_page
    page.route("**/api/explain", lambda r: r.fulfill(status=200, content_type="application/json",
                                                      body=json.dumps(TORCH)))
    try:
        type_source(page, "import torch  # answered by the hand-made report above\n")
        page.wait_for_selector('[data-layer="features.0"]')
        names = page.locator("#models [data-layer]").evaluate_all("els => els.map(e => e.dataset.layer)")
        assert names == [layer["name"] for layer in TORCH["models"][0]["layers"]]
        # children sit inside their parent's group
        assert page.locator('.torch-group:has(> [data-layer="features"]) [data-layer="features.1"]').count() == 1
        page.click('[data-layer="rnn"]')
        assert "[(5, 3, 20), [(2, 3, 20), (2, 3, 20)]]" in page.locator("[data-explanation]").inner_text()
        page.click('[data-layer="features.0"]')
        text = page.locator("[data-explanation]").inner_text()
        assert "456" in text and "6 × 3 × 5 × 5" in text
        shot(page, "6-torch-tree")
    finally:
        page.unroute("**/api/explain")
    assert not problems, problems

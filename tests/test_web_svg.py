"""``--format svg``: a standalone, well-formed, deterministic drawing, checked against golden files and Keras."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from shapewise.cli import EXAMPLE
from shapewise.frontends.snippet import interpret
from shapewise.render import render
from shapewise.render.svg import render_json
from shapewise.web.examples import BRANCHES, SHAPE_ERROR

GOLDEN = Path(__file__).parent / "golden"
NS = "{http://www.w3.org/2000/svg}"

# A PyTorch report as DESIGN.md describes it (qualified names, depth, buffers, shapes of a tuple output),
# made by hand: the drawing must take it before the PyTorch front end lands.
TORCH = {
    "schema": "shapewise/1", "printed": [], "skipped": [], "error": None,
    "models": [{
        "name": "model", "type": "Net", "framework": "torch",
        "layers": [
            {"name": "features", "type": "Sequential", "depth": 1, "params": 456, "trainable": 456,
             "non_trainable": 0, "input_shape": [4, 3, 32, 32], "output_shape": [4, 6, 14, 14], "calls": 1,
             "weights": [], "buffers": [], "explanation": None},
            {"name": "features.0", "type": "Conv2d", "depth": 2, "params": 456, "trainable": 456,
             "non_trainable": 0, "input_shape": [4, 3, 32, 32], "output_shape": [4, 6, 28, 28], "calls": 1,
             "weights": [{"name": "weight", "shape": [6, 3, 5, 5], "trainable": True},
                         {"name": "bias", "shape": [6], "trainable": True, "same_as": None}],
             "buffers": [], "explanation": None},
            {"name": "features.1", "type": "MaxPool2d", "depth": 2, "params": 0, "trainable": 0, "non_trainable": 0,
             "input_shape": [4, 6, 28, 28], "output_shape": [4, 6, 14, 14], "calls": 1, "weights": [],
             "buffers": [], "explanation": None},
            {"name": "rnn", "type": "LSTM", "depth": 1, "params": 0, "trainable": 0, "non_trainable": 0,
             "input_shape": [5, 3, 10], "output_shape": [[5, 3, 20], [[2, 3, 20], [2, 3, 20]]], "calls": 1,
             "weights": [], "buffers": [], "explanation": None},
            {"name": "unused", "type": "Linear", "depth": 1, "params": 0, "trainable": 0, "non_trainable": 0,
             "input_shape": None, "output_shape": None, "calls": 0, "weights": [], "buffers": [],
             "explanation": None},
        ],
        "total_params": 456, "trainable_params": 456, "non_trainable_params": 0, "buffers": 0}],
}

CASES = {"lstm": EXAMPLE, "branches": BRANCHES, "shape_error": SHAPE_ERROR}


def svg_of(name):
    if name == "torch":
        return render_json(TORCH)
    return render(interpret(CASES[name]), "svg")


@pytest.mark.parametrize("name", [*CASES, "torch"])
def test_svg_golden_and_deterministic(name, request):
    out = svg_of(name)
    assert out == svg_of(name), "output must be deterministic"
    ET.fromstring(out)  # well-formed XML: a standalone file
    assert "http" not in out.replace('xmlns="http://www.w3.org/2000/svg"', ""), "nothing to fetch"
    assert "<script" not in out
    path = GOLDEN / f"svg_{name}.svg"
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(out, encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    assert out == path.read_text(encoding="utf-8")


def test_svg_is_the_same_bytes_in_another_process():
    code = "import sys; from shapewise.cli import main; sys.exit(main(['explain', '--format', 'svg', '-']))"
    runs = [subprocess.run([sys.executable, "-c", code], input=BRANCHES, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")]
    assert runs[0] == runs[1] == svg_of("branches")


@pytest.mark.keras
def test_svg_boxes_carry_keras_numbers():
    import keras

    keras.backend.clear_session()
    real = keras.Sequential([keras.Input((10, 64)), keras.layers.LSTM(32), keras.layers.Dense(2)])
    root = ET.fromstring(svg_of("lstm"))
    boxes = {g.get("data-layer"): g for g in root.iter(NS + "g") if g.get("data-layer")}
    assert list(boxes) == [layer.name for layer in real.layers]
    for layer in real.layers:
        text = "".join(boxes[layer.name].itertext())
        assert f"{layer.count_params():,} params" in text
        assert str(tuple(layer.output.shape)) in text
    assert f"Total params: {real.count_params():,}" in "".join(root.itertext())


def test_svg_of_a_shape_error_draws_no_layers():
    root = ET.fromstring(svg_of("shape_error"))
    assert not [g for g in root.iter(NS + "g") if g.get("data-layer")]
    error = root.find(f".//{NS}g[@data-error]")
    expected = interpret(SHAPE_ERROR).error
    assert error is not None and error.get("data-error") == str(expected.line)
    text = " ".join("".join(error.itertext()).split())
    assert expected.message[:60] in text and f"layer '{expected.layer}'" in text


def test_svg_branches_have_an_edge_per_connection():
    root = ET.fromstring(svg_of("branches"))
    edges = [p for p in root.iter(NS + "path") if p.get("class") == "edge"]
    # image→conv2d, conv2d→conv2d_1, conv2d_1→add, conv2d→add (the shortcut), add→pool, pool→dense
    assert len(edges) == 6


def test_svg_takes_a_torch_report():
    root = ET.fromstring(svg_of("torch"))
    names = [g.get("data-layer") for g in root.iter(NS + "g") if g.get("data-layer")]
    assert names == ["features", "features.0", "features.1", "rnn", "unused"]
    text = "".join(root.itertext())
    assert "[(5, 3, 20), [(2, 3, 20), (2, 3, 20)]]" in text and "(4, 6, 28, 28)" in text

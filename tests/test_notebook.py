"""Notebooks: a notebook executed headlessly (nbclient + ipykernel) shows shapewise's HTML display.

The numbers the display must show come from real Keras in the same run.
"""

import os
import re

import nbformat
import pytest
from nbclient import NotebookClient

from shapewise.cli import EXAMPLE

SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def run_notebook(cells):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    # the kernel imports this checkout's shapewise (conftest puts src/ on PYTHONPATH, which the kernel inherits)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": SRC}}).execute()
    return nb


def html_output(cell):
    outs = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert outs, f"no display for: {cell.source!r} (outputs: {cell.outputs})"
    return outs[0].data["text/html"]


@pytest.fixture(scope="module")
def notebook():
    return run_notebook([
        "import sys, shapewise\n'shapewise.frontends.snippet' in sys.modules",
        f"shapewise.explain({EXAMPLE!r})",
        "from shapewise.keras import Sequential, clear_session, layers\nclear_session()\n"
        "Sequential([layers.Input((20, 5)), layers.Dense(10)])",
        "shapewise.explain('import keras\\nm = keras.Sequential([keras.Input((10,)), keras.layers.LSTM(4)])\\n')",
    ])


def test_importing_shapewise_stays_light(notebook):
    out = [o for o in notebook.cells[0].outputs if o.output_type == "execute_result"][0]
    assert out.data["text/plain"] == "False"


@pytest.mark.keras
def test_explain_shows_the_drawing_and_explanations(notebook):
    import keras

    keras.backend.clear_session()
    real = keras.Sequential([keras.Input((10, 64)), keras.layers.LSTM(32), keras.layers.Dense(2)])
    html = html_output(notebook.cells[1])
    assert "<svg" in html and "<script" not in html
    assert not re.search(r"(src|href)=\"https?:", html), "nothing fetched"
    for layer in real.layers:
        assert f'data-layer="{layer.name}"' in html
        assert f"{layer.count_params():,}" in html
    assert f"Total params: {real.count_params():,}" in html
    assert "4·units·(features + units + 1)" in html  # the explanation is there, not only the drawing


@pytest.mark.keras
def test_a_shapewise_keras_model_displays_itself(notebook):
    import keras

    keras.backend.clear_session()
    real = keras.Sequential([keras.Input((20, 5)), keras.layers.Dense(10)])
    html = html_output(notebook.cells[2])
    assert 'data-layer="dense"' in html and "<svg" in html
    assert f"{real.layers[0].count_params():,}" in html
    assert str(tuple(real.layers[0].output.shape)) in html


def test_a_shape_error_displays_as_an_error(notebook):
    from html import escape

    from shapewise.frontends.snippet import interpret

    html = html_output(notebook.cells[3])
    error = interpret("import keras\nm = keras.Sequential([keras.Input((10,)), keras.layers.LSTM(4)])\n").error
    assert error is not None and error.layer == "lstm"
    assert "data-error=" in html and escape(error.message[:60]) in html
    assert 'data-layer="' not in html

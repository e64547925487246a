"""The real questions in /work/shared/seed, pasted as users paste them: shapewise must agree with real Keras.

Each file in tests/seed that real Keras can run is run twice: through ``shapewise explain FILE --format json``
and with real Keras 3 in-process (our own test files, run with ``exec`` — never user input). Every model a
``summary()`` call shows (or, with no summary call, every model still bound to a name) is compared layer by
layer, and so is what ``print()`` printed. A snippet without imports (``model = Sequential()``) gets the Keras
names a reader would assume, on both sides.

The ``*_fragment.py`` files are fragments from the same questions that real Keras cannot run (they use names
they never define, or are not even valid Python); test_snippet.py checks what shapewise says about them.
"""

import contextlib
import io
import json
from pathlib import Path

import pytest
from oracle import describe_keras, describe_report, implicit_names, real_keras

from shapewise import cli

SEED = Path(__file__).parent / "seed"
RUNNABLE = sorted(p for p in SEED.glob("*.py") if not p.stem.endswith("_fragment"))


def run_shapewise(path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = cli.main(["explain", str(path), "--format", "json"])
    return code, json.loads(out.getvalue())


def run_real_keras(path, monkeypatch):
    keras = real_keras()
    keras.backend.clear_session()
    summarized = []
    monkeypatch.setattr(keras.Model, "summary", lambda self, *a, **k: summarized.append(describe_keras(self)))
    namespace = dict(implicit_names(keras), __name__="__main__")
    printed = io.StringIO()
    # "meta" tensors have shapes but no storage: a 440-million-parameter Dense costs nothing.
    with keras.device("meta"), contextlib.redirect_stdout(printed):
        exec(compile(path.read_text(), str(path), "exec"), namespace)  # our own seed file, not user input
    if summarized:
        models = summarized
    else:
        seen, models = set(), []
        for value in namespace.values():
            if isinstance(value, keras.Model) and id(value) not in seen:
                seen.add(id(value))
                models.append(describe_keras(value))
    return models, printed.getvalue().splitlines()


def test_seed_files_exist():
    assert len(RUNNABLE) >= 10
    assert (SEED / "densenet121_input_shape.py").exists()


@pytest.mark.keras
@pytest.mark.parametrize("path", RUNNABLE, ids=[p.stem for p in RUNNABLE])
def test_seed_matches_keras(path, monkeypatch):
    code, data = run_shapewise(path)
    assert data["schema"] == "shapewise/1"
    assert data["error"] is None, data["error"]
    assert code == 0
    keras_models, keras_printed = run_real_keras(path, monkeypatch)
    ours = [describe_report(m) for m in data["models"]]
    assert [m["name"] for m in ours] == [m["name"] for m in keras_models]
    for km, sm in zip(keras_models, ours):
        for field in ("name", "type", "total_params", "trainable_params", "non_trainable_params"):
            assert sm[field] == km[field], f"{path.name}: {field}"
        assert [layer["name"] for layer in sm["layers"]] == [layer["name"] for layer in km["layers"]]
        for kl, sl in zip(km["layers"], sm["layers"]):
            assert sl == kl, f"{path.name}: layer {kl['name']}"
    assert data["printed"] == keras_printed

"""``shapewise explain``: the built-in example, files and stdin, formats, and the exit status contract."""

import io
import json
import subprocess
import sys

import pytest

from shapewise import cli

OK = "from keras.models import Sequential\nfrom keras.layers import Dense\nmodel = Sequential()\n" \
     "model.add(Dense(10, input_shape=(20, 5)))\nmodel.summary()\n"
SHAPE_ERROR = "import keras\nfrom keras import layers\nmodel = keras.Sequential()\nmodel.add(keras.Input((10,)))\n" \
              "model.add(layers.LSTM(4))\n"
REFUSED = "import keras\nmodel = keras.Sequential()\nclass Meta(type):\n    pass\n"
NO_MODEL = "import numpy as np\nx = np.load('data.npy')\n"


def explain(capsys, *args, stdin=None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = cli.main(["explain", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def snippet(tmp_path):
    def write(source, name="snippet.py"):
        path = tmp_path / name
        path.write_text(source)
        return str(path)

    return write


def test_no_file_explains_the_lstm_example(capsys):
    code, out, _ = explain(capsys)
    assert code == 0
    assert "lstm (LSTM)" in out and "12,416" in out and "(None, 32)" in out
    assert "timesteps" in out  # the explanation says why the 10 timesteps change nothing


def test_module_entry_point_runs_the_example():
    proc = subprocess.run([sys.executable, "-m", "shapewise", "explain", "--no-explain"], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "12,416" in proc.stdout


@pytest.mark.parametrize("source, status", [(OK, 0), (SHAPE_ERROR, 1), (REFUSED, 2), (NO_MODEL, 2)],
                         ids=["builds", "shape_error", "refused", "no_model"])
def test_exit_status(capsys, snippet, source, status):
    code, _, _ = explain(capsys, snippet(source))
    assert code == status


def test_shape_error_is_explained_with_its_line(capsys, snippet):
    code, out, _ = explain(capsys, snippet(SHAPE_ERROR), "--format", "json")
    assert code == 1
    error = json.loads(out)["error"]
    assert error["line"] == 5 and error["layer"] == "lstm" and error["type"] == "LSTM"
    code, out, _ = explain(capsys, snippet(SHAPE_ERROR))
    assert "line 5" in out and "lstm" in out


def test_refusal_names_the_line(capsys, snippet):
    code, out, _ = explain(capsys, snippet(REFUSED))
    assert code == 2
    assert "line 3" in out and "`type`" in out


def test_no_model_lists_skipped_lines(capsys, snippet):
    code, out, err = explain(capsys, snippet(NO_MODEL))
    assert code == 2
    assert "no model found" in out + err
    assert "line 2" in out + err


def test_printing_only_exits_zero(capsys, snippet):
    code, out, _ = explain(capsys, snippet("from keras import layers\nx = layers.Input((2, 3))\n"
                                           "print(layers.Dense(4)(x))\n"))
    assert code == 0
    assert "shape=(None, 2, 4)" in out


def test_dash_reads_stdin(capsys, monkeypatch):
    code, out, _ = explain(capsys, "-", "--format", "json", stdin=OK, monkeypatch=monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["models"][0]["layers"][0]["params"] == 60


def test_missing_file_is_a_usage_error(capsys, tmp_path):
    code, _, err = explain(capsys, str(tmp_path / "nope.py"))
    assert code == 2 and "cannot read" in err


def test_json_schema_and_contents(capsys, snippet):
    code, out, _ = explain(capsys, snippet(OK), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert list(data)[0] == "schema" and data["schema"] == "shapewise/1"
    assert data["error"] is None and data["printed"] == []
    (model,) = data["models"]
    assert model["name"] == "sequential" and model["type"] == "Sequential"
    (dense,) = model["layers"]
    assert dense["input_shape"] == [None, 20, 5] and dense["output_shape"] == [None, 20, 10]
    assert [(w["name"], w["shape"]) for w in dense["weights"]] == [("kernel", [5, 10]), ("bias", [10])]
    assert dense["explanation"]["params"]
    assert model["total_params"] == model["trainable_params"] == 60


def test_json_is_byte_identical_across_runs(snippet):
    path = snippet(OK)
    runs = [subprocess.run([sys.executable, "-m", "shapewise", "explain", path, "--format", "json"],
                           capture_output=True, timeout=120).stdout for _ in range(2)]
    assert runs[0] == runs[1] and runs[0]


def test_no_explain(capsys, snippet):
    path = snippet(OK)
    _, full, _ = explain(capsys, path)
    code, short, _ = explain(capsys, path, "--no-explain")
    assert code == 0
    assert "dense (Dense)" in short and "60" in short
    assert len(short) < len(full)
    _, out, _ = explain(capsys, path, "--format", "json", "--no-explain")
    assert "explanation" not in json.loads(out)["models"][0]["layers"][0]


def test_markdown(capsys, snippet):
    code, out, _ = explain(capsys, snippet(OK), "--format", "markdown")
    assert code == 0
    assert "|" in out and "dense" in out and "60" in out


# --- the fast path of the command line (no argparse import): it must parse exactly as argparse does -------------

_TOKENS = ["explain", "serve", "-", "--", "-h", "--help", "f.py", "a b.py", "", "-5", "x=1", "--format", "json",
           "text", "jsn", "--format=json", "--form", "--no-explain", "--no-ex", "--expand-nested", "--batch", "3",
           "0", "007", "-2", "x", "３", "--dtype", "bfloat16", "--optimizer", "sgd", "--columns", "flops",
           "flops,activations", "--framework", "torch", "keras", "--input", "4,3,32,32", "long:8,128", "--port"]


def _argparse_result(argv):
    import contextlib

    with contextlib.redirect_stderr(io.StringIO()), contextlib.redirect_stdout(io.StringIO()):
        try:
            return vars(cli._parser().parse_args(argv))
        except SystemExit as e:
            return ("exit", e.code)


@pytest.mark.parametrize("argv", [
    ["explain"], ["explain", "f.py"], ["explain", "-"], ["explain", "f.py", "--format", "json"],
    ["explain", "--format", "json", "f.py"], ["explain", "--no-explain", "f.py", "--expand-nested"],
    ["explain", "f.py", "--input", "4,3,32,32", "--input", "long:8,128", "--framework", "torch"],
    ["explain", "--batch", "8", "--dtype", "mixed", "--optimizer", "sgd", "--columns", "flops,activations"],
], ids=lambda argv: " ".join(argv))
def test_fast_path_takes_plain_command_lines_and_agrees_with_argparse(argv):
    fast = cli._fast_args(argv)
    assert fast is not None, "a plain command line should not need argparse"
    assert vars(fast) == _argparse_result(argv)


def test_fast_path_agrees_with_argparse_on_random_command_lines():
    import random

    rnd = random.Random(0)
    taken = 0
    for _ in range(3000):
        argv = [rnd.choice(["explain", "explain", "explain", "serve"])] + [rnd.choice(_TOKENS)
                                                                           for _ in range(rnd.randint(0, 6))]
        fast = cli._fast_args(argv)
        if fast is not None:  # else argparse parses it (and its errors and help are argparse's)
            taken += 1
            assert vars(fast) == _argparse_result(argv), argv
    assert taken > 300


def test_fast_path_errors_are_argparse_s(capsys, snippet):
    with pytest.raises(SystemExit) as e:
        cli.main(["explain", snippet(OK), "--batch", "0"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: shapewise [-h] {explain,serve} ...\n")
    assert err.endswith("shapewise: error: argument --batch: must be a positive integer, got 0\n")


def test_main_leaves_the_collector_as_it_found_it(capsys, snippet):
    """main() pauses the cyclic GC only for its run; only the process entry point (run()) freezes it at the end
    (an in-process caller goes on living and collecting)."""
    import gc

    frozen = gc.get_freeze_count()
    assert cli.main(["explain", snippet(OK)]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen
    capsys.readouterr()


def test_the_entry_points_exit_status_and_output_are_main_s(snippet):
    path = snippet(SHAPE_ERROR)
    runs = [subprocess.run([sys.executable, *how, "explain", path, "--format", "json"], capture_output=True,
                           timeout=120)
            for how in (["-m", "shapewise"], ["-c", "import sys, shapewise.cli; sys.exit(shapewise.cli.main())"])]
    assert runs[0].returncode == runs[1].returncode == 1
    assert runs[0].stdout == runs[1].stdout and json.loads(runs[0].stdout)["error"]["type"] == "LSTM"

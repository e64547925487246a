"""The PyTorch report: DESIGN.md's JSON contract, the text table (golden files), its invariants, and errors."""

import json
from pathlib import Path

import pytest

from shapewise import torch
from shapewise.render.json_ import render as render_json
from shapewise.render.torch_text import render as render_text
from shapewise.report import RunResult
from shapewise.torch import nn
from shapewise.torch.report import model_report

GOLDEN = Path(__file__).parent / "golden"


class Net(nn.Module):
    """The CIFAR-10 tutorial network, its convolutions in a Sequential named features (DESIGN's example)."""

    def __init__(self, features=16 * 5 * 5):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2), nn.Conv2d(6, 16, 5),
                                      nn.ReLU(), nn.MaxPool2d(2, 2))
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(features, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        return self.fc3(self.fc2(self.fc1(self.flatten(self.features(x)))))


class TiedLM(nn.Module):
    def __init__(self):
        super().__init__()
        self.tok = nn.Embedding(50, 16)
        self.rnn = nn.LSTM(16, 16, 2)
        self.norm = nn.BatchNorm1d(16)
        self.head = nn.Linear(16, 50, bias=False)
        self.head.weight = self.tok.weight
        self.unused = nn.Linear(3, 3)

    def forward(self, idx):
        out, (h, c) = self.rnn(self.tok(idx))
        return self.head(out)


def _cifar():
    return torch.summary(Net(), input_size=(4, 3, 32, 32))


def _tied():
    return torch.summary(TiedLM(), input_size=(5, 3), dtypes=[torch.long])


def test_json_contract_cifar():
    data = json.loads(render_json(RunResult([("model", _cifar())])))
    assert data["schema"] == "shapewise/1" and data["error"] is None
    m = data["models"][0]
    assert list(m) == ["name", "type", "framework", "layers", "total_params", "trainable_params",
                       "non_trainable_params", "buffers", "compute", "memory"]
    assert list(m["compute"]) == ["batch", "flops", "macs", "other_ops"]
    assert list(m["memory"]) == ["batch", "dtype", "optimizer", "parameters", "buffers", "gradients",
                                 "optimizer_state", "activations", "training_peak", "inference_peak"]
    assert (m["name"], m["type"], m["framework"]) == ("Net", "Net", "torch")
    assert (m["total_params"], m["trainable_params"], m["non_trainable_params"], m["buffers"]) == (62006, 62006, 0, 0)
    names = [layer["name"] for layer in m["layers"]]
    assert names == ["features", "features.0", "features.1", "features.2", "features.3", "features.4",
                     "features.5", "flatten", "fc1", "fc2", "fc3"]
    conv = m["layers"][1]
    assert list(conv) == ["name", "type", "depth", "params", "trainable", "non_trainable", "input_shape",
                          "output_shape", "calls", "weights", "buffers", "flops", "macs", "other_ops", "activation_bytes",
                          "explanation"]
    assert conv["type"] == "Conv2d" and conv["depth"] == 2 and conv["params"] == 456
    assert conv["input_shape"] == [4, 3, 32, 32] and conv["output_shape"] == [4, 6, 28, 28] and conv["calls"] == 1
    assert conv["weights"] == [{"name": "weight", "shape": [6, 3, 5, 5], "trainable": True, "same_as": None},
                               {"name": "bias", "shape": [6], "trainable": True, "same_as": None}]
    assert conv["buffers"] == []
    assert m["layers"][0]["params"] == 456 + 2416 and m["layers"][0]["weights"] == []
    ex = conv["explanation"]
    assert "out_channels × in_channels × kh × kw = 6 × 3 × 5 × 5 = 450" in ex["params"]
    assert ex["free_dims"] == ["height", "width"]
    fc1 = m["layers"][8]["explanation"]
    assert fc1["params"].endswith("= (in_features + 1)·out_features = (400 + 1)·120")


def test_json_contract_tied_nested_and_uncalled():
    m = _tied().to_json()
    rows = {layer["name"]: layer for layer in m["layers"]}
    assert rows["rnn"]["output_shape"] == [[5, 3, 16], [[2, 3, 16], [2, 3, 16]]]
    assert rows["head"]["weights"][0]["same_as"] == "tok.weight" and rows["tok"]["weights"][0]["same_as"] is None
    assert rows["unused"]["input_shape"] is None and rows["unused"]["output_shape"] is None
    assert rows["unused"]["calls"] == 0 and rows["unused"]["params"] == 12
    assert rows["norm"]["buffers"] == [{"name": "running_mean", "shape": [16]}, {"name": "running_var", "shape": [16]},
                                       {"name": "num_batches_tracked", "shape": []}]
    lstm = 2 * 4 * 16 * (16 + 16 + 2)
    assert m["total_params"] == 50 * 16 + lstm + 32 + 12  # the head's weight is tok's: counted once
    assert m["buffers"] == 33


@pytest.mark.parametrize("name", ["cifar", "tied"])
def test_rows_add_up_to_totals(name):
    """torchinfo's invariant, with tied tensors once: each tensor counted at its first holder's row."""
    report = _cifar() if name == "cifar" else _tied()
    own = sum(sum(_prod(w["shape"]) for w in layer.weights if w["same_as"] is None) for layer in report.layers)
    assert own == report.total_params


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


@pytest.mark.parametrize("name", ["cifar", "tied"])
def test_golden_text(name, request):
    make = _cifar if name == "cifar" else _tied
    out = render_text(RunResult([("model", make())]))
    assert out == render_text(RunResult([("model", make())])), "output must be deterministic"
    path = GOLDEN / f"torch_{name}.txt"
    if request.config.getoption("--update-golden") or not path.exists():
        path.write_text(out, encoding="utf-8")
        if not request.config.getoption("--update-golden"):
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
    assert out == path.read_text(encoding="utf-8")


def test_text_marks_tied_rows_and_buffers():
    text = str(_tied())
    assert "head (Linear)" in text and "(tied)" in text
    assert "↳ weight shares weight with tok (Embedding): counted once (as tok.weight)" in text
    assert "↳ weight is shared with head (Linear): counted once, here" in text
    assert "Buffers (not parameters): 33 values" in text
    notes = " ".join(_tied().layers[1].explanation.notes)
    assert "4·h·(i + h + 2) = 2,176 per layer and direction against Keras's 4·h·(i + h + 1) = 2,112" in notes
    assert "running_mean [16], running_var [16], num_batches_tracked []: state, not parameters" in text


def test_module_registered_twice_is_one_row_and_recursive_in_text():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(nn.Sequential(shared, nn.ReLU()), nn.Sequential(shared))
    report = torch.summary(model, input_size=(2, 4))
    names = [layer.name for layer in report.layers]
    assert names == ["0", "0.0", "0.1", "1"]  # named_modules(): the second registration is not listed
    assert report.layers[1].shared_names == ["1.0"] and report.layers[1].calls == 2
    text = str(report)
    assert "(recursive)" in text and "called 2 times" in text
    assert report.total_params == 20


def test_error_in_json_and_text():
    report = torch.summary(Net(16 * 4 * 4), input_size=(4, 3, 32, 32))
    result = RunResult([("model", report)], error=report.error)
    data = json.loads(render_json(result))
    err = data["error"]
    assert (err["layer"], err["type"]) == ("fc1", "Linear")
    assert err["message"] == "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)"
    assert err["got"] == [4, 400]
    assert err["fix"] == "fc1 expects 256 input features; the flattened map is 16·5·5 = 400: use nn.Linear(400, 120)"
    assert "error: layer 'fc1' (Linear): mat1 and mat2 shapes cannot be multiplied" in render_text(result)
    # the table is still shown as far as the shapes are known
    rows = {layer.name: layer for layer in report.layers}
    assert rows["flatten"].output_shape == [4, 400] and rows["fc1"].output_shape is None


def test_uncalled_model_reports_parameters_only():
    report = model_report(Net())
    assert report.total_params == 62006 and all(layer.output_shape is None for layer in report.layers)
    assert "never called" in str(report)


def test_cli_input_values():
    from shapewise.errors import UsageError
    from shapewise.torch.report import inputs_from_text, parse_input

    assert parse_input("4,3,32,32") == ((4, 3, 32, 32), "float32")
    assert parse_input("long:8,128") == ((8, 128), "int64")
    ids, images = inputs_from_text(["long:8,128", "2,3,8,8"])
    assert (tuple(ids.shape), ids.dtype.name, tuple(images.shape)) == ((8, 128), "int64", (2, 3, 8, 8))
    for bad in ("", "a,b", "complex9:3", "-1,2"):
        with pytest.raises(UsageError):
            parse_input(bad)


def test_torchsummary_call_adds_a_batch_of_two():
    from shapewise.torch.report import torchsummary

    report = torchsummary(Net(), (3, 32, 32))
    assert report.layers[1].input_shape == [2, 3, 32, 32] and report.total_params == 62006


def test_summary_reports_its_own_forward():
    model = Net()
    model(torch.randn(1, 3, 32, 32))
    report = torch.summary(model, input_size=(8, 3, 32, 32))
    assert report.layers[1].input_shape == [8, 3, 32, 32] and report.layers[1].calls == 1

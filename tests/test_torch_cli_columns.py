"""``shapewise explain --columns flops,activations`` on PyTorch code, and the compute keys of its JSON.

Each file is run through the command line (in process) and through real torch 2.13.0 in the same test: every
module's FLOPs cell is FlopCounterMode's count for that module (its calls and its children's, on the meta device),
and its Activations cell the bytes torch saves for the backward pass inside that module's calls (measured with
``saved_tensors_hooks``, tests/torch_memory_oracle.py, each storage once, the module's children included, as Param #
counts them). The JSON has, per module, ``flops``, ``macs`` (FLOPs / 2), ``other_ops`` and ``activation_bytes``, and
the model's ``compute`` and ``memory`` objects with exactly the keys of DESIGN.md's compute section.
"""

from __future__ import annotations

import json

import pytest

from shapewise import cli
from shapewise.compute import readable_flops
from shapewise.report import readable_bytes
from torch_flops_oracle import counted, flop_counter
from torch_memory_oracle import measure_source
from torch_oracle import run_real

HEAD = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\n"

CASES = {
    "cnn": HEAD + """
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)) + x)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.MaxPool2d(2))
        self.block = Block(8)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(8 * 7 * 7, 10))

    def forward(self, x):
        return self.head(self.block(self.stem(x)))


model = Net()
out = model(torch.randn(2, 3, 16, 16))
""",
    "encoder": HEAD + """
class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(50, 16)
        self.attn = nn.MultiheadAttention(16, 2, batch_first=True)
        self.norm = nn.LayerNorm(16)
        self.ff = nn.Sequential(nn.Linear(16, 32), nn.GELU(), nn.Linear(32, 16))

    def forward(self, ids):
        x = self.emb(ids)
        x = self.norm(x + self.attn(x, x, x)[0])
        return self.ff(x).mean(1)


model = Encoder()
out = model(torch.randint(0, 50, (3, 7)))
""",
}

COLUMN_W = 13
MEMORY_KEYS = ["batch", "dtype", "optimizer", "parameters", "buffers", "gradients", "optimizer_state", "activations",
               "training_peak", "inference_peak"]


def _cli(capsys, path, *args):
    code = cli.main(["explain", str(path), *args])
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


def _table(text):
    """{module name: (FLOPs cell, Activations cell)} of the text table (the last two columns)."""
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("Layer (type)"))
    assert lines[head].endswith(f"{'FLOPs':>{COLUMN_W}} {'Activations':>{COLUMN_W}}"), lines[head]
    rows = {}
    for line in lines[head + 2:]:
        if line.startswith("="):
            break
        if "↳" in line:
            continue
        name = line[:40].strip().rsplit(" (", 1)[0]
        rows[name] = (line[-2 * COLUMN_W - 1:-COLUMN_W - 1].strip(), line[-COLUMN_W:].strip())
    return rows


def _measured(source):
    """Per module (qualified name; "" the model): FlopCounterMode's FLOPs and the saved bytes inside its calls."""
    import torch

    called = set()
    hook = torch.nn.modules.module.register_module_forward_hook(lambda m, a, out: called.add(id(m)))
    try:
        with flop_counter() as counter:
            ns, error, _ = run_real(source, "meta")
    finally:
        hook.remove()
    assert error is None, error
    real = ns["model"]
    # a module never called (MultiheadAttention's out_proj: its forward uses the weights directly) shows "--"
    flops = {name: counted(counter, m) if id(m) in called else None for name, m in real.named_modules()}
    measured, error = measure_source(source, optimizers=("adam",))
    assert error is None, error
    (_, saved), = measured
    inside = {}
    for name in flops:
        inside[name] = sum(b for where, b in saved["per_module"].items()
                           if not name or where == name or where.startswith(name + "."))
    return flops, inside, saved


@pytest.mark.parametrize("name", sorted(CASES))
def test_columns_are_flop_counter_s_and_the_saved_bytes(name, tmp_path, capsys):
    source = CASES[name]
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    flops, inside, saved = _measured(source)

    rows = _table(_cli(capsys, path, "--columns", "flops,activations", "--no-explain"))
    assert rows.pop("model") == ("--", "--")
    assert set(rows) == set(flops) - {""}
    for module, (flops_cell, bytes_cell) in rows.items():
        if flops[module] is None:
            assert (flops_cell, bytes_cell) == ("--", "--"), module
            continue
        assert flops_cell == readable_flops(flops[module]), (module, flops_cell, flops[module])
        assert bytes_cell == readable_bytes(inside[module]), (module, bytes_cell, inside[module])

    out = json.loads(_cli(capsys, path, "--format", "json"))
    (model,) = out["models"]
    assert list(model["compute"]) == ["batch", "flops", "macs", "other_ops"]
    assert model["compute"]["flops"] == flops[""] and model["compute"]["macs"] * 2 == flops[""]
    assert list(model["memory"]) == MEMORY_KEYS
    assert model["memory"]["activations"] == saved["activations"]
    for layer in model["layers"]:
        assert layer["flops"] == (flops[layer["name"]] or 0), layer["name"]
        assert layer["macs"] * 2 == layer["flops"]
        assert isinstance(layer["other_ops"], int) and layer["other_ops"] >= 0
        assert layer["activation_bytes"] == inside[layer["name"]], layer["name"]


def test_one_column_and_the_default_table(tmp_path, capsys):
    path = tmp_path / "cnn.py"
    path.write_text(CASES["cnn"])
    plain = _cli(capsys, path, "--no-explain")
    assert "FLOPs " not in plain.splitlines()[2] and "Activations" not in plain
    only = _cli(capsys, path, "--columns", "activations", "--no-explain")
    head = next(line for line in only.splitlines() if line.startswith("Layer (type)"))
    assert head.endswith(f"Param # {'Activations':>{COLUMN_W}}")
    # the footer is the table's without the column; the rules are one column wider
    def footer(text):
        return [line for line in text.split("Total params:")[1].splitlines() if not line.startswith("=")]

    assert footer(only) == footer(plain)
    rule = {len(line) for line in plain.splitlines() if line.startswith("=")}
    assert {len(line) for line in only.splitlines() if line.startswith("=")} == {n + COLUMN_W + 1 for n in rule}

"""FLOPs of PyTorch models against real torch's ``torch.utils.flop_counter.FlopCounterMode``, in the same run.

Every model of the PyTorch corpus (interpreted, as ``shapewise explain`` reads a file), of the module family
tables and of the random generator is run by real torch under FlopCounterMode (meta device; the CPU where the
file cannot run on meta) and by shapewise with its op events recorded: every module's FLOPs (its calls and its
children's, as FlopCounterMode's module breakdown counts) and the model's total must be equal, plus what
shapewise declares FlopCounterMode does not see (tests/torch_flops_oracle.py). For each of those known gaps
(``nn.Bilinear``, matrix-vector products, and on the CPU the fused attention and LSTM kernels) the
analytic count is checked against FlopCounterMode on an equivalent computation it does count, and the
explanation must say what FlopCounterMode reports.
"""

from __future__ import annotations

import json
import os

import pytest

import test_torch_conv
import test_torch_layers
import test_torch_models
import test_torch_module
import test_torch_rnn
from test_torch_snippets import CORPUS, FILES, REFUSED
from torch_cases import HEADER, module_case
from torch_flops_oracle import compare_counts, compare_model, compare_python, counted, flop_counter, run_python
from torch_generator import case
from torch_shared_run import shared_run
from torch_snippet_oracle import run_real


def _interpreted(source):
    from shapewise.frontends.snippet import interpret

    result = interpret(source, "<case>")
    return result, [m for m in result.models if getattr(m, "framework", None) == "torch"]


# --------------------------------------------------------------------------------------------------------------
# The hook


def _shapewise():
    from shapewise import torch
    from shapewise.torch import nn
    from shapewise.torch.compute import recording

    return torch, nn, recording


def test_events_are_attributed_to_the_innermost_call_and_every_call_counts():
    torch, nn, recording = _shapewise()

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(5, 5)

        def forward(self, x):
            y = self.fc(self.fc(x))
            return torch.matmul(y, y.t()) + 1

    model = Net()
    with recording() as rec:
        model(torch.randn(2, 5))
    assert [e.op for e in rec.events] == ["linear", "linear", "t", "matmul", "add"]
    root = rec.roots[0]
    assert root.module is model and [c.module for c in root.children] == [model.fc, model.fc]
    assert [c.index for c in root.children] == [0, 1]
    assert [e.op for e in root.events] == ["t", "matmul", "add"]
    assert [e.op for e in root.walk_events()] == [e.op for e in rec.events]
    linear = rec.events[0]
    assert linear.module is model.fc and linear.call is root.children[0] and linear.ctx is not None
    assert [s.values() for s in linear.inputs] == [(2, 5)] and [s.values() for s in linear.outputs] == [(2, 5)]
    matmul = rec.events[3]
    assert matmul.module is None and [s.values() for s in matmul.inputs] == [(2, 5), (5, 2)]


def test_reflected_operators_record_torchs_operand_order_and_nothing_is_recorded_when_inactive():
    torch, nn, recording = _shapewise()
    from shapewise.torch import compute

    a, w = torch.randn(3, 4), nn.Parameter(torch.randn(4, 6))
    a @ w  # no recorder: nothing kept anywhere
    assert compute.ACTIVE is None
    with recording() as rec:
        w.__rmatmul__(a)
        2 * a
    assert rec.events[0].op == "matmul" and [s.values() for s in rec.events[0].inputs] == [(3, 4), (4, 6)]
    assert rec.events[1].op == "mul" and rec.events[1].args[0] == 2
    assert compute.ACTIVE is None


def test_a_failing_call_pops_its_frame():
    torch, nn, recording = _shapewise()
    from shapewise.errors import ShapewiseError

    model = nn.Sequential(nn.Linear(4, 3), nn.Linear(5, 2))
    with recording() as rec:
        with pytest.raises(ShapewiseError):
            model(torch.randn(2, 4))
        assert rec.current is None
        nn.Linear(4, 1)(torch.randn(2, 4))
    assert len(rec.roots) == 2 and rec.roots[1].parent is None


# --------------------------------------------------------------------------------------------------------------
# The corpus: pasted files, interpreted


#: the files shapewise builds (the others are refused or are shape bugs: no forward pass to count)
BUILT = [f for f in FILES if f not in REFUSED and "_bug_" not in f]


@pytest.mark.parametrize("name", BUILT)
def test_corpus_flops_equal_flop_counter_mode(name):
    with open(os.path.join(CORPUS, name), encoding="utf-8") as f:
        source = f.read()
    real = shared_run(source)  # FlopCounterMode's count of the file's run (shared with the other corpus oracles)
    if real.error is not None:  # the file moves tensors to the CPU or reads values: FlopCounterMode on the CPU
        real = shared_run(source, "cpu")
    assert real.error is None, real.error
    result, models = _interpreted(source)
    assert result.error is None and len(models) == len(real.names)
    problems = []
    for model_name, counts, report in zip(real.names, real.flops, models):
        assert report.compute() is not None, model_name
        problems += compare_counts(counts, report, model_name or "model", real.device)
    assert not problems, "\n".join(problems)
    assert any(counts[""] for counts in real.flops)  # every model here does some matrix work


# --------------------------------------------------------------------------------------------------------------
# The module family tables and the classic models, on shapewise's Python API


def _table_cases():
    rows = []
    for module, names in ((test_torch_layers, ("LAYERS", "LOSSES", "ID_OK")), (test_torch_conv, ("CONV", "POOL")),
                          (test_torch_rnn, ("RNNS",))):
        for table in names:
            rows += [pytest.param(module_case(ctor, *inputs), id=f"{table.lower()}-{ident}")
                     for ident, ctor, *inputs in getattr(module, table)]
    rows += [pytest.param(test_torch_models.HEADER + "import math\n" + body, id=f"models-{k}")
             for k, body in {**test_torch_models.GOOD, **test_torch_models.MORE}.items()]
    rows += [pytest.param(test_torch_module.HEADER + body, id=f"module-{k}")
             for k, body in test_torch_module.CASES.items()]
    return rows


@pytest.mark.parametrize("source", _table_cases())
def test_tables_flops_equal_flop_counter_mode(source):
    problems, _ = compare_python(source)  # (a case both raise on, as torch's CPU kernels do, has nothing to count)
    assert not problems, "\n".join(problems)


#: ops and modules beyond the tables: matrix products of every rank, einsum, attention in its forms, RNN variants
OPS = {
    "matmul-ranks": "y = x @ w; z = torch.randn(2, 3, 4, 5) @ torch.randn(5, 6); u = torch.randn(4) @ x.t()\n"
                    "v = torch.randn(3, 4, 5) @ torch.randn(2, 1, 5, 6); s = torch.bmm(torch.randn(2, 3, 4), "
                    "torch.randn(2, 4, 5))\nt = torch.baddbmm(torch.randn(2, 3, 5), torch.randn(2, 3, 4), "
                    "torch.randn(2, 4, 5)); q = torch.addmm(torch.randn(6), x, w); r = x.mm(w)\n",
    "einsum": "a = torch.einsum('bij,bjk->bik', torch.randn(2, 3, 4), torch.randn(2, 4, 5))\n"
              "b = torch.einsum('bhqd,bhkd->bhqk', torch.randn(2, 3, 4, 5), torch.randn(2, 3, 6, 5))\n"
              "c = torch.einsum('bi,bi->b', x, x); d = torch.einsum('bi,bi->bi', x, x)\n"
              "e = torch.einsum('nchw,oc->nohw', torch.randn(2, 3, 4, 5), torch.randn(6, 3))\n"
              "f = torch.einsum('...ij,...jk', torch.randn(2, 3, 4), torch.randn(2, 4, 5))\n",
    "sdpa": "q = torch.randn(2, 3, 4, 8); k = torch.randn(2, 3, 5, 8)\n"
            "a = F.scaled_dot_product_attention(q, k, torch.randn(2, 3, 5, 6))\n"
            "b = F.scaled_dot_product_attention(q, k, k, is_causal=False)\n"
            "c = F.scaled_dot_product_attention(torch.randn(3, 4, 8), torch.randn(3, 5, 8), torch.randn(3, 5, 8))\n",
    "conv-functional": "a = F.conv2d(torch.randn(1, 3, 8, 8), torch.randn(4, 3, 3, 3), padding='same')\n"
                       "b = F.conv_transpose1d(torch.randn(2, 4, 5), torch.randn(4, 3, 3), stride=2)\n"
                       "c = F.linear(x, w.t(), torch.randn(6))\n",
}
MODULES = {
    "mha-kdim-bias-kv": ("nn.MultiheadAttention(8, 2, kdim=5, vdim=6, add_bias_kv=True, add_zero_attn=True, "
                         "batch_first=True)", "torch.randn(2, 4, 8)", "torch.randn(2, 6, 5)", "torch.randn(2, 6, 6)"),
    "mha-unbatched": ("nn.MultiheadAttention(8, 2)", "torch.randn(4, 8)", "torch.randn(4, 8)", "torch.randn(4, 8)"),
    "mha-no-bias": ("nn.MultiheadAttention(8, 2, bias=False)", "torch.randn(4, 2, 8)", "torch.randn(6, 2, 8)",
                    "torch.randn(6, 2, 8)"),
    "lstm-proj-bidir": ("nn.LSTM(5, 7, num_layers=2, proj_size=3, bidirectional=True)", "torch.randn(3, 2, 5)"),
    "gru-unbatched": ("nn.GRU(5, 7, num_layers=2, bias=False)", "torch.randn(3, 5)"),
    "transformer": ("nn.Transformer(8, 2, 1, 1, 16)", "torch.randn(4, 2, 8)", "torch.randn(5, 2, 8)"),
    "decoder-layer-norm-first": ("nn.TransformerDecoderLayer(8, 2, 16, norm_first=True, batch_first=True)",
                                 "torch.randn(2, 4, 8)", "torch.randn(2, 5, 8)"),
    "convtranspose-groups": ("nn.ConvTranspose2d(4, 6, 3, stride=2, groups=2, output_padding=1)",
                             "torch.randn(2, 4, 5, 5)"),
}


def _ops_case(body):
    return HEADER + "x = torch.randn(3, 4)\nw = torch.randn(4, 6)\n" + body + "model = nn.Identity()\n" \
        "out = model(x)\n"


def _op_model(body):
    """An nn.Module whose forward runs ``body`` (its statements on x and w): the ops are its own."""
    lines = "".join(f"        {line}\n" for stmt in body.strip().split("\n") for line in stmt.split("; "))
    return (HEADER + "class Net(nn.Module):\n    def forward(self, x, w):\n" + lines + "        return x\n"
            "model = Net()\nout = model(torch.randn(3, 4), torch.randn(4, 6))\n")


@pytest.mark.parametrize("source", [pytest.param(_op_model(b), id=k) for k, b in OPS.items()]
                         + [pytest.param(module_case(ctor, *inputs), id=k) for k, (ctor, *inputs) in MODULES.items()])
def test_ops_and_modules_flops_equal_flop_counter_mode(source):
    problems, error = compare_python(source)
    assert error is None, error
    assert not problems, "\n".join(problems)


def test_random_models_flops_equal_flop_counter_mode():
    disagree = []
    for seed in range(400):
        source, _ = case(seed)
        problems, _ = compare_python(source)  # (a model with a deliberate bug raises on both sides)
        if problems:
            disagree.append(f"seed {seed}:\n{source}\n" + "\n".join(problems[:5]))
    assert not disagree, f"{len(disagree)} random models disagree:\n" + "\n\n".join(disagree[:3])


# --------------------------------------------------------------------------------------------------------------
# Where FlopCounterMode does not see the work: the analytic count, checked on an equivalent it counts

#: (what shapewise runs, an equivalent computation FlopCounterMode counts, device, what the explanation says)
GAPS = {
    "bilinear": ("nn.Bilinear(5, 4, 3)", ("torch.randn(2, 5)", "torch.randn(2, 4)"),
                 "(x1[:, :, None] * x2[:, None, :]).flatten(1) @ torch.randn(3, 5, 4).flatten(1).t()", "meta",
                 "_trilinear, which is not in FlopCounterMode's table: it reports 0"),
    "matrix-vector": ("Op('x1 @ x2')", ("torch.randn(3, 4)", "torch.randn(4)"), "x1 @ x2[:, None]", "meta",
                      "aten.mv"),
    "dot": ("Op('torch.dot(x1, x2)')", ("torch.randn(4)", "torch.randn(4)"), "x1[None] @ x2[:, None]", "meta",
            "aten.dot"),
    "linear-vector-weight": ("Op('F.linear(x1, x2)')", ("torch.randn(3, 4)", "torch.randn(4)"),
                             "x1 @ x2[:, None]", "meta", "aten.mv"),
    "lstm-on-the-cpu": ("nn.LSTM(5, 7, num_layers=2)", ("torch.randn(3, 2, 5)",), None, "cpu",
                        "fused LSTM kernel"),
    "attention-on-the-cpu": ("nn.MultiheadAttention(8, 2)", ("torch.randn(4, 2, 8)", "torch.randn(6, 2, 8)",
                                                             "torch.randn(6, 2, 8)", "need_weights=False"),
                             None, "cpu", "fused attention kernel"),
}

def _gap_source(ctor, inputs):
    args = ", ".join(inputs)
    names = ", ".join(f"x{i + 1}" for i in range(len([a for a in inputs if "=" not in a])))
    if ctor.startswith("Op("):
        code = ctor[4:-2]
        return (HEADER + f"class Op(nn.Module):\n    def forward(self, {names}):\n        return {code}\n"
                f"model = Op()\nout = model({args})\n")
    return module_case(ctor, *inputs)


@pytest.mark.parametrize("key", list(GAPS))
def test_work_flop_counter_mode_misses_is_counted_and_explained(key):
    ctor, inputs, equivalent, device, said = GAPS[key]
    source = _gap_source(ctor, inputs)
    problems, error = compare_python(source, device)
    assert error is None and not problems, problems
    from shapewise.torch.report import model_report

    ns, error = run_python(source)
    report = model_report(ns["model"])
    mc = report.compute()
    unseen = mc.counter_diff + (mc.cpu_unseen if device == "cpu" else 0)
    assert unseen < 0  # there is work FlopCounterMode does not see here
    # the analytic count: FlopCounterMode on an equivalent it sees (the same module on the meta device, or the same
    # products written as matrix products)
    if equivalent is None:
        problems, error = compare_python(source, "meta")
        assert error is None and not problems, problems
        assert mc.cpu_unseen < 0 and mc.counter_diff == 0
    else:
        values = ", ".join(inputs)
        names = ", ".join(f"x{i + 1}" for i in range(len(inputs)))
        with flop_counter() as counter:
            run_real(HEADER + f"{names}, = {values},\ny = {equivalent}\n")
        assert mc.compute["flops"] == counter.get_total_flops() > 0
    from shapewise.render.torch_text import render_model

    text = " ".join(render_model(report).split())
    assert "FlopCounterMode" in text and said in text


# --------------------------------------------------------------------------------------------------------------
# Output: JSON keys, text footer and explanations


def _cli_json(source):
    from shapewise.render import render

    result, _ = _interpreted(source)
    return json.loads(render(result, "json"))


def test_json_has_the_compute_keys_and_they_equal_flop_counter_mode():
    with open(os.path.join(CORPUS, "036_tutorial_cifar10_net.py"), encoding="utf-8") as f:
        source = f.read()
    with flop_counter() as counter:
        real, _, _ = run_real(source)
    out = _cli_json(source)
    (name, model), = real
    m = out["models"][0]
    assert set(m["compute"]) == {"batch", "flops", "macs", "other_ops"}
    assert m["compute"]["flops"] == counted(counter, model) == 2 * m["compute"]["macs"] > 0
    assert m["compute"]["batch"] == m["layers"][0]["input_shape"][0]
    modules = dict(model.named_modules())
    for row in m["layers"]:
        assert {"flops", "macs", "other_ops"} <= set(row)
        assert row["flops"] == counted(counter, modules[row["name"]]) == 2 * row["macs"]
        assert isinstance(row["other_ops"], int) and row["explanation"]["compute"]


def test_text_shows_forward_flops_and_each_formula_with_its_numbers_and_dependence():
    from shapewise.render import render

    source = HEADER + ("class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
                       "        self.fc = nn.Linear(5, 10)\n        self.conv = nn.Conv1d(10, 4, 3)\n"
                       "    def forward(self, x):\n        return self.conv(self.fc(x).transpose(1, 2))\n"
                       "model = Net()\nout = model(torch.randn(3, 20, 5))\n")
    with flop_counter() as counter:
        real, _, _ = run_real(source)
    (_, model), = real
    result, _ = _interpreted(source)
    text = " ".join(render(result, "text").split())
    total = counted(counter, model)
    assert f"Forward pass (the call on the example input): {total:,} FLOPs" in text
    assert "2·batch·dim1·in_features·out_features = 2·3·20·5·10 = 6,000 FLOPs" in text
    assert counted(counter, model.fc) == 6000
    assert "linear in batch (3) and dim1 (20)" in text  # the 20-axis; in_features sets the weight
    assert "linear in batch (3) and length (20)" in text  # the convolution slides along the sequence
    assert "FlopCounterMode counts them" in text  # the legend


def test_attention_is_quadratic_in_the_sequence_length():
    from shapewise.render import render

    source = module_case("nn.TransformerEncoderLayer(16, 4, 32, batch_first=True)", "torch.randn(2, 10, 16)")
    result, _ = _interpreted(source)
    text = " ".join(render(result, "text").split())
    assert "quadratic in target_len (10)" in text


# --------------------------------------------------------------------------------------------------------------
# Live modules: the same figures for a real module, explained on the meta device

LIVE = {
    "gpt-tied": (test_torch_models.GOOD["gpt-tied"], [(2, 16)], "long"),
    "custom-attention": ("""
class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.qkv = nn.Linear(16, 48)
        self.proj = nn.Linear(16, 16)
    def forward(self, x):
        q, k, v = self.qkv(x).split(16, dim=-1)
        q, k, v = (t.view(2, 5, 4, 4).transpose(1, 2) for t in (q, k, v))
        scores = torch.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1)
        y = torch.einsum('bhqk,bhkd->bhqd', scores, v) + F.scaled_dot_product_attention(q, k, v)
        return self.proj(y.transpose(1, 2).reshape(2, 5, 16))
model = nn.Sequential(Attention(), nn.GELU(), nn.Linear(16, 3))
out = model(torch.randn(2, 5, 16))
""", [(2, 5, 16)], None),
}


@pytest.mark.parametrize("key", list(LIVE))
def test_live_modules_flops_equal_flop_counter_mode(key):
    import torch

    import shapewise.torch as sw_torch

    body, sizes, dtype = LIVE[key]
    ns = {}
    with torch.device("meta"):
        exec(compile(HEADER + "import math\n" + body.replace("out = model(", "_unused = ("), "<case>", "exec"), ns)
        model = ns["model"]
        inputs = [torch.zeros(*s, dtype=getattr(torch, dtype)) if dtype else torch.randn(*s) for s in sizes]
        with flop_counter() as counter:
            model(*inputs)
    report = sw_torch.explain(model, input_size=sizes, dtypes=[getattr(torch, dtype)] if dtype else None)
    assert report.error is None
    problems = compare_model(counter, model, report)
    assert not problems, "\n".join(problems)
    assert counted(counter, model) > 0
    if key == "custom-attention":  # the forward code's own products (matmul, einsum, attention), seen live
        assert report.compute().rows[0].own_flops == counted(counter, model[0]) - counted(counter, model[0].qkv) \
            - counted(counter, model[0].proj) > 0


def test_an_unknown_size_keeps_the_flops_a_formula():
    """torch's front ends know every size (the example input's); a symbolic tensor made on the API still gets a
    formula, and the same formula with the size put in equals the figures of the concrete run."""
    from shapewise.dims import Known, Unknown
    from shapewise.engine import Spec
    from shapewise.render.torch_text import render_model
    from shapewise.torch.report import model_report
    from shapewise.torch.tensor import Tensor

    torch, nn, recording = _shapewise()

    def run(first):
        model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 2))
        with recording():
            model(Tensor(Spec((first, Known(7), Known(5)), "float32")))
        return model_report(model)

    symbolic, concrete = run(Unknown("n")), run(Known(3))
    c = symbolic.compute().compute
    assert c["flops"] is None and c["flops_formula"].endswith("·n")
    import torch as real_torch

    with flop_counter() as counter, real_torch.device("meta"):
        real = real_torch.nn.Sequential(real_torch.nn.Linear(5, 10), real_torch.nn.ReLU(), real_torch.nn.Linear(10, 2))
        real(real_torch.randn(3, 7, 5))
    coefficient = int(c["flops_formula"][:-2].replace(",", ""))
    assert coefficient * 3 == counted(counter, real) == concrete.compute().compute["flops"]
    assert "980·n FLOPs" in render_model(symbolic) and "a formula in the unknown dims" in render_model(symbolic)

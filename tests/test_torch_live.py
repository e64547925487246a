"""Live modules: shapewise.torch.explain(real_module) gives the same report as the same code pasted.

Each case is built twice: with real torch (a real module on the CPU; small) explained live, and with
shapewise.torch (the pasted path) summarized on the same input. Their JSON must be identical, explanations aside
(both derive them from the same rules: a rule module must have one on both sides). The user's module must come
out unchanged: same device, same parameter objects, no hooks left.
"""

import pytest

import shapewise.torch as sw_torch
from test_torch_models import BUGS, CIFAR, GOOD
from torch_cases import HEADER
from torch_oracle import run_shapewise

INPUTS = {
    "cifar-net": [(4, 3, 32, 32)], "lenet": [(2, 1, 28, 28)], "gpt-tied": [(2, 16)], "unet": [(1, 3, 16, 16)],
    "resnet-blocks": [(2, 3, 64, 64)], "vit": [(2, 3, 32, 32)],
}
DTYPES = {"gpt-tied": ["long"]}

EXTRA = {
    "lstm-stack": "model = nn.Sequential(nn.Embedding(30, 8), nn.LSTM(8, 16, 2, batch_first=True, bidirectional=True))",
    "transformer": "model = nn.Transformer(16, 4, 1, 1, 32, batch_first=True)",
    "norms": "model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.GroupNorm(2, 8), nn.LayerNorm([8, 6, 6]),"
             " nn.Flatten(), nn.Linear(288, 4), nn.PReLU(), nn.Softmax(dim=1))",
}
EXTRA_INPUTS = {"lstm-stack": [(2, 5)], "transformer": [(2, 5, 16), (2, 3, 16)], "norms": [(2, 3, 8, 8)]}
EXTRA_DTYPES = {"lstm-stack": ["long"]}


def _without_explanations(report_json):
    """The report without its explanations (memory and compute figures included: they must be the same)."""
    for layer in report_json["layers"]:
        layer.pop("explanation", None)
    return report_json


def _pasted(body, sizes, dtypes):
    ns, error = run_shapewise(HEADER + "import math\n" + body)
    assert error is None, error
    model = ns["model"]
    return sw_torch.summary(model, input_size=sizes,
                            dtypes=[getattr(sw_torch, d) for d in dtypes] if dtypes else None)


def _live(body, sizes, dtypes):
    import torch

    ns = {}
    exec(compile(HEADER + "import math\n" + body.replace("out = model(", "_unused = ("), "<case>", "exec"), ns)
    model = ns["model"]
    before = [(n, p.data_ptr(), p.device.type) for n, p in model.named_parameters()]
    report = sw_torch.explain(model, input_size=sizes,
                              dtypes=[getattr(torch, d) for d in dtypes] if dtypes else None)
    after = [(n, p.data_ptr(), p.device.type) for n, p in model.named_parameters()]
    assert before == after, "explain() changed the user's module"
    assert all(not m._forward_hooks for m in model.modules())
    return report


CASES = [pytest.param(GOOD[k], INPUTS[k], DTYPES.get(k), id=k) for k in INPUTS] + \
        [pytest.param(v, EXTRA_INPUTS[k], EXTRA_DTYPES.get(k), id=k) for k, v in EXTRA.items()]


@pytest.mark.parametrize("body, sizes, dtypes", CASES)
def test_live_equals_pasted(body, sizes, dtypes):
    live = _live(body, sizes, dtypes)
    pasted = _pasted(body, sizes, dtypes)
    assert live.error is None and pasted.error is None
    live_json = live.to_json()
    assert live_json["memory"]["activations"] > 0 and live_json["compute"]["flops"] > 0
    assert _without_explanations(live_json) == _without_explanations(pasted.to_json())
    for a, b in zip(live.layers, pasted.layers):
        if b._module.__dict__.get("_sw_ctx") is not None:
            assert a._module.__dict__.get("_sw_ctx") is not None, f"{a.name}: no explanation live"
            if not b.tied:  # a tied tensor's names are those of the module that made it, which live code can't see
                assert a.explanation.params_text() == b.explanation.params_text()


def test_live_reports_the_error_of_a_buggy_model():
    live = _live(CIFAR.format(features="16 * 4 * 4", input="4, 3, 32, 32"), [(4, 3, 32, 32)], None)
    e = live.error
    assert e.layer == "fc1" and e.message == "mat1 and mat2 shapes cannot be multiplied (4x400 and 256x120)"
    assert e.fix == "fc1 expects 256 input features; its input has 400: use nn.Linear(400, 120)"
    conv2 = next(layer for layer in live.layers if layer.name == "conv2")
    assert conv2.output_shape == [4, 16, 10, 10] and conv2.calls == 1
    assert "cifar-wrong-flatten" in BUGS  # the same bug, pasted, is tested in test_torch_models

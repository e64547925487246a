"""Wrong inputs, as people feed them, against real torch: every module of the family tables on its input with the
batch axis dropped, an extra leading axis, the last axis dropped, and integer values instead of floats. Both
raise (shapewise with a ShapewiseError in torch's words) or both give the same shapes."""

import re

import pytest

import test_torch_conv
import test_torch_layers
import test_torch_rnn
from torch_cases import module_case
from torch_oracle import assert_same_torch


def _variants():
    rows = test_torch_conv.CONV + test_torch_conv.POOL + test_torch_layers.LAYERS + test_torch_rnn.RNNS
    for ident, ctor, *inputs in rows:
        m = re.match(r"torch\.randn\((.*)\)$", inputs[0]) if len(inputs) == 1 else None
        if not m:
            continue
        dims = [d.strip() for d in m.group(1).split(",")]
        for name, shape in (("no-batch", dims[1:]), ("extra-axis", ["2", *dims]), ("no-last", dims[:-1])):
            if shape:
                yield pytest.param(module_case(ctor, f"torch.randn({', '.join(shape)})"), id=f"{ident}-{name}")
        yield pytest.param(module_case(ctor, f"torch.randint(0, 3, ({', '.join(dims)},))"), id=f"{ident}-long")


@pytest.mark.parametrize("source", list(_variants()))
def test_wrong_inputs_like_torch(source):
    assert_same_torch(source)

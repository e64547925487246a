"""Shared helpers of the PyTorch family tables: a module and its input as a PyTorch source case."""

import pytest

HEADER = "import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nfrom collections import OrderedDict\n"


def module_case(ctor, *inputs, call=None):
    """``model = <ctor>`` called on ``inputs`` (each a torch expression, e.g. ``torch.randn(4, 3)``)."""
    args = ", ".join(inputs)
    call = call or f"out = model({args})\n"
    return f"{HEADER}model = {ctor}\n{call}"


def table(rows):
    """pytest params from (id, ctor, inputs...) rows."""
    return [pytest.param(module_case(ctor, *inputs), id=ident) for ident, ctor, *inputs in rows]

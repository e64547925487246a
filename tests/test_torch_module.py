"""nn.Module's semantics against real torch: registration, tied and shared weights, frozen parts, buffers,
containers, parametrizations; each case compared module by module (class, qualified name, shapes, own and
total parameters, buffers) with real torch on the meta device."""

import pytest

from torch_cases import HEADER
from torch_oracle import assert_same_torch

CASES = {
    "tied-head": """
class LM(nn.Module):
    def __init__(self, vocab=50, d=16):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.body = nn.Sequential(nn.Linear(d, d), nn.GELU(), nn.LayerNorm(d))
        self.head = nn.Linear(d, vocab, bias=False)
        self.head.weight = self.tok.weight
    def forward(self, idx):
        return self.head(self.body(self.tok(idx)))
model = LM()
model(torch.randint(0, 50, (2, 7)))
""",
    "shared-module-two-parents": """
shared = nn.Linear(8, 8)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Sequential(shared, nn.ReLU())
        self.b = nn.Sequential(nn.Tanh(), shared)
    def forward(self, x):
        return self.b(self.a(x))
model = Net()
model(torch.randn(3, 8))
""",
    "module-called-twice": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = nn.Linear(6, 6)
        self.out = nn.Linear(6, 2)
    def forward(self, x):
        return self.out(self.block(self.block(x)))
model = Net()
model(torch.randn(3, 6))
""",
    "frozen-parts": """
model = nn.Sequential(nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 4))
model[0].requires_grad_(False)
for p in model[1].parameters():
    p.requires_grad = False
model[4].bias.requires_grad_(False)
model(torch.randn(2, 3, 8, 8))
""",
    "buffers-and-parameters": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(1, 1, 5))
        self.register_buffer("mask", torch.tril(torch.ones(4, 4)) if False else torch.ones(4, 4))
        self.register_buffer("temp", torch.zeros(3), persistent=False)
        self.register_parameter("extra", nn.Parameter(torch.randn(2, 3), requires_grad=False))
        self.register_parameter("nothing", None)
        self.fc = nn.Linear(5, 5)
    def forward(self, x):
        return self.fc(x)
model = Net()
model(torch.randn(2, 3, 5))
""",
    "ordered-dict-sequential": """
model = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(1, 20, 5)), ("relu1", nn.ReLU()), ("conv2", nn.Conv2d(20, 64, 5)), ("relu2", nn.ReLU()),
]))
model(torch.randn(1, 1, 28, 28))
""",
    "module-list-dict-loops": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(10, 10) for i in range(3)])
        self.layers.append(nn.ReLU())
        self.acts = nn.ModuleDict({"relu": nn.ReLU(), "tanh": nn.Tanh()})
        self.acts["gelu"] = nn.GELU()
    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
        for key in self.acts:
            x = self.acts[key](x)
        return x
model = Net()
model(torch.randn(4, 10))
""",
    "parameter-list-dict": """
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ws = nn.ParameterList([nn.Parameter(torch.randn(4, 4)) for _ in range(3)])
        self.ws.append(torch.randn(4))
        self.pd = nn.ParameterDict({"a": nn.Parameter(torch.randn(2)), "b": nn.Parameter(torch.randn(3, 1))})
model = Net()
""",
    "sequential-ops": """
model = nn.Sequential(nn.Linear(3, 4), nn.ReLU())
model.append(nn.Linear(4, 5))
model.insert(1, nn.Dropout(0.1))
model.add_module("last", nn.Softmax(dim=-1))
model = model[1:]
""",
    "nested-and-uncalled": """
class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)
        self.bn = nn.BatchNorm2d(c)
        self.unused = nn.Linear(3, 3)
    def forward(self, x):
        return self.bn(self.conv(x))
model = nn.Sequential(Block(4), Block(4), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 2))
model(torch.randn(2, 4, 8, 8))
""",
    "apply-and-eval": """
def init(m):
    if isinstance(m, nn.Linear):
        nn.init.xavier_uniform_(m.weight)
        nn.init.zeros_(m.bias)
model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
model.apply(init)
model.eval()
model(torch.randn(1, 3))
""",
    "weight-norm-spectral-norm": """
from torch.nn.utils import weight_norm, spectral_norm
model = nn.Sequential(weight_norm(nn.Linear(4, 3)), spectral_norm(nn.Conv1d(3, 5, 1)), weight_norm(nn.Linear(1, 2), dim=None))
model[0].register_buffer("seen", torch.zeros(1))
""",
    "parametrizations": """
from torch.nn.utils import parametrizations as P
model = nn.Sequential(P.weight_norm(nn.Linear(4, 3)), nn.ReLU(), P.spectral_norm(nn.Linear(3, 3)),
                      P.orthogonal(nn.Linear(3, 3)))
model(torch.randn(2, 4))
""",
    "lazy-modules": """
model = nn.Sequential(nn.LazyConv2d(6, 3), nn.ReLU(), nn.Flatten(), nn.LazyLinear(10))
model(torch.randn(2, 3, 8, 8))
""",
    "deleting-and-replacing": """
model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 5))
model[1] = nn.Linear(4, 6)
del model[0]
model.extra = nn.Linear(6, 6)
model.extra = None
""",
}


@pytest.mark.parametrize("body", [pytest.param(v, id=k) for k, v in CASES.items()])
def test_module_semantics(body):
    assert_same_torch(HEADER + body)


def test_tied_weight_counted_once_and_marked():
    from shapewise import torch
    from shapewise.torch import nn

    class LM(nn.Module):
        def __init__(self):
            super().__init__()
            self.tok = nn.Embedding(50, 16)
            self.head = nn.Linear(16, 50, bias=False)
            self.head.weight = self.tok.weight

        def forward(self, idx):
            return self.head(self.tok(idx))

    r = torch.summary(LM(), input_size=(2, 7), dtypes=[torch.long])
    assert r.total_params == 50 * 16
    head = next(layer for layer in r.layers if layer.name == "head")
    assert head.weights == [{"name": "weight", "shape": [50, 16], "trainable": True, "same_as": "tok.weight"}]
    assert head.params == 800  # the module's own count (torch's sum over head.parameters())
    text = str(r)
    assert "shares weight with tok (Embedding): counted once" in text
    assert "weight is shared with head (Linear)" in text
    assert "Total params: 800" in text

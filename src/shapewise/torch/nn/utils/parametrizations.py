"""``torch.nn.utils.parametrizations``: weight_norm, spectral_norm and orthogonal as parametrization modules."""

from __future__ import annotations

import math

from ....dims import Known
from ..module import RuleModule
from ..parameter import new_tensor
from .parametrize import register_parametrization


class _WeightNorm(RuleModule):
    def __init__(self, dim=0):
        super().__init__()
        self.dim = -1 if dim is None else dim

    def split(self, weight):
        dims = weight.spec.shape
        if self.dim == -1:
            g = ()
        else:
            d = self.dim % len(dims)
            g = tuple(x if i == d else Known(1) for i, x in enumerate(dims))
        return [new_tensor(g), new_tensor(dims)]

    def infer(self, ctx, g, v):
        ctx.note("weight = g · v / ‖v‖: the norm g and the direction v are learned apart")
        return ctx.spec(v.shape)


class _SpectralNorm(RuleModule):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        dims = weight.spec.shape
        self.dim = dim if dim >= 0 else dim + len(dims)
        self.eps = eps
        if len(dims) > 1:
            self.n_power_iterations = n_power_iterations
            rows = dims[self.dim].value
            cols = math.prod(d.value for d in dims) // max(rows, 1)
            self.register_buffer("_u", new_tensor((rows,)))
            self.register_buffer("_v", new_tensor((cols,)))

    def infer(self, ctx, weight):
        ctx.note("weight / σ(weight): divided by its largest singular value (estimated by power iteration)")
        return ctx.spec(weight.shape)


class _Orthogonal(RuleModule):
    def __init__(self, weight, orthogonal_map=None, use_trivialization=True):
        super().__init__()
        self.shape = tuple(weight.shape)
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def infer(self, ctx, x):
        return ctx.spec(x.shape)


def weight_norm(module, name="weight", dim=0):
    register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    return module


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    weight = getattr(module, name)
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    weight = getattr(module, name)
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization)
    register_parametrization(module, name, orth, unsafe=True)
    if use_trivialization:
        orth.base = new_tensor(weight.spec.shape)
    return module

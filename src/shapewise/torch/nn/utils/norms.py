"""``weight_norm`` and ``spectral_norm`` (the hook-based forms): they replace a module's parameter by others.

weight_norm(module, "weight", dim=0): ``weight`` becomes ``weight_g`` (the norm: the size of ``dim``, ones
elsewhere) and ``weight_v`` (the direction: the weight's shape), registered after the module's other parameters:
the count grows by the size of ``weight_g``. spectral_norm: ``weight`` becomes ``weight_orig``, with two buffers
``weight_u`` (rows of the weight as a matrix) and ``weight_v`` (its columns).
"""

from __future__ import annotations

import math

from ....dims import Known
from ....errors import ArgumentError
from ..parameter import Parameter, new_tensor


def _take(module, name):
    params = module.__dict__["_parameters"]
    weight = params.get(name)
    if weight is None:
        raise ArgumentError(f"Module '{module.type_name}' has no parameter or buffer with name '{name}'",
                            layer_type=module.type_name)
    del params[name]
    return weight


def weight_norm(module, name="weight", dim=0):
    weight = _take(module, name)
    dims = weight.spec.shape
    if dim is None:
        g = ()
    else:
        if dim < 0:
            dim += len(dims)
        g = tuple(d if i == dim else Known(1) for i, d in enumerate(dims))
    module.register_parameter(name + "_g", Parameter(new_tensor(g)))
    module.register_parameter(name + "_v", Parameter(new_tensor(dims)))
    object.__setattr__(module, name, new_tensor(dims))
    return module


def remove_weight_norm(module, name="weight"):
    params = module.__dict__["_parameters"]
    if name + "_g" not in params:
        raise ArgumentError(f"weight_norm of '{name}' not found in {module.type_name}", layer_type="remove_weight_norm")
    v = params.pop(name + "_v")
    del params[name + "_g"]
    module.__dict__.pop(name, None)
    module.register_parameter(name, Parameter(new_tensor(v.spec.shape)))
    return module


def _matrix(dims, dim):
    rows = dims[dim].value
    return rows, math.prod(d.value for d in dims) // max(rows, 1)


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    if dim is None:
        dim = 1 if type(module).__name__.startswith("ConvTranspose") else 0
    weight = _take(module, name)
    rows, cols = _matrix(weight.spec.shape, dim)
    module.register_parameter(name + "_orig", weight)
    object.__setattr__(module, name, new_tensor(weight.spec.shape))
    module.register_buffer(name + "_u", new_tensor((rows,)))
    module.register_buffer(name + "_v", new_tensor((cols,)))
    return module


def remove_spectral_norm(module, name="weight"):
    params = module.__dict__["_parameters"]
    if name + "_orig" not in params:
        raise ArgumentError(f"spectral_norm of '{name}' not found in {module.type_name}",
                            layer_type="remove_spectral_norm")
    w = params.pop(name + "_orig")
    module.__dict__["_buffers"].pop(name + "_u", None)
    module.__dict__["_buffers"].pop(name + "_v", None)
    module.__dict__.pop(name, None)
    module.register_parameter(name, w)
    return module

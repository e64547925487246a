"""``torch.nn.init``: initializers change values, never shapes; each returns its tensor unchanged."""

from __future__ import annotations

from ..tensor import Tensor

_NAMES = (
    "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_", "xavier_uniform_",
    "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_", "uniform", "normal",
    "constant", "xavier_uniform", "xavier_normal", "kaiming_uniform", "kaiming_normal", "orthogonal",
)


def _initializer(name):
    def init(tensor, *args, **kwargs):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"nn.init.{name}() expects a tensor, got {type(tensor).__name__}")
        return tensor

    init.__name__ = name
    return init


for _name in _NAMES:
    globals()[_name] = _initializer(_name)
del _name


def calculate_gain(nonlinearity, param=None):
    gains = {"linear": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0, "sigmoid": 1.0, "tanh": 5.0 / 3,
             "relu": 2.0 ** 0.5, "selu": 3.0 / 4}
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return (2.0 / (1 + slope ** 2)) ** 0.5
    return gains.get(nonlinearity, 1.0)


def _calculate_fan_in_and_fan_out(tensor):
    shape = tensor.shape
    receptive = 1
    for s in shape[2:]:
        receptive *= s
    return shape[1] * receptive, shape[0] * receptive

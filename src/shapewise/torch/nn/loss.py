"""Loss modules: each a thin module over its ``torch.nn.functional`` rule in the ops vocabulary (``FUNCTIONAL``).

A loss has no parameters (``weight``, when given, is a buffer, as torch registers it); its output is a scalar
with ``reduction='mean'`` or ``'sum'``, and the elementwise shape with ``'none'``.
"""

from __future__ import annotations

from ...errors import ArgumentError
from .. import compute as _rec
from ..tensor import Tensor, _ops, _to_spec, wrap
from .module import Module

_REDUCTIONS = ("none", "mean", "sum")


class _Loss(Module):
    fn = ""
    extra = ()  # the constructor arguments the functional form takes as keywords

    def __init__(self, *args, reduction="mean", **kwargs):
        super().__init__()
        names = ("size_average", "reduce") + self.extra
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__}() takes at most {len(names)} positional arguments")
        values = dict(zip(names, args))
        values.update(kwargs)
        size_average, reduce = values.pop("size_average", None), values.pop("reduce", None)
        if size_average is not None or reduce is not None:  # torch's legacy arguments decide the reduction
            reduction = "none" if reduce is False else "mean" if size_average in (None, True) else "sum"
        if reduction not in _REDUCTIONS:
            raise ArgumentError(f"{reduction} is not a valid value for reduction", layer_type=type(self).__name__)
        self.reduction = reduction
        weight = values.pop("weight", None)
        if "weight" in self.extra:
            self.register_buffer("weight", weight if isinstance(weight, Tensor) else None)
        for key, value in values.items():
            if key not in self.extra:
                raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument '{key}'")
            object.__setattr__(self, key, value)
        self._keywords = [k for k in self.extra if k != "weight"]

    def forward(self, input, target):
        kwargs = {k: getattr(self, k) for k in self.__dict__["_keywords"] if k in self.__dict__}
        if "weight" in self.extra and self.__dict__["_buffers"].get("weight") is not None:
            kwargs["weight"] = self.weight.spec
        rule = _ops().FUNCTIONAL[self.fn]
        kwargs["reduction"] = self.reduction
        out = wrap(rule([_to_spec(input), _to_spec(target)], kwargs))
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.op(self.fn, (input, target), kwargs, out)
        return out


def _loss(name, fn, extra=()):
    return type(name, (_Loss,), {"fn": fn, "extra": tuple(extra)})


CrossEntropyLoss = _loss("CrossEntropyLoss", "cross_entropy", ("weight", "ignore_index", "label_smoothing"))
NLLLoss = _loss("NLLLoss", "nll_loss", ("weight", "ignore_index"))
MSELoss = _loss("MSELoss", "mse_loss")
L1Loss = _loss("L1Loss", "l1_loss")
SmoothL1Loss = _loss("SmoothL1Loss", "smooth_l1_loss", ("beta",))
HuberLoss = _loss("HuberLoss", "huber_loss", ("delta",))
BCELoss = _loss("BCELoss", "binary_cross_entropy", ("weight",))
BCEWithLogitsLoss = _loss("BCEWithLogitsLoss", "binary_cross_entropy_with_logits", ("weight", "pos_weight"))

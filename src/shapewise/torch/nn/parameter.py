"""``nn.Parameter`` and buffers: tensors whose shape is a tuple of Dims (with roles when a module made them)."""

from __future__ import annotations

from ...dims import Dim, Known
from ...engine import Spec
from ..tensor import Tensor


class Parameter(Tensor):
    """A learnable tensor of a module: ``Parameter(data, requires_grad=True)``.

    A module's own parameters are made with named Dims (``out_features × in_features``), so the explanation
    writes its size as a formula; one made from user data (``nn.Parameter(torch.zeros(1, 1, d))``) has plain
    numbers.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            spec = Spec((Known(0),), "float32")
        elif isinstance(data, Tensor):
            spec = data.spec
        else:
            raise TypeError(f"Parameter(): data must be a Tensor, got {type(data).__name__}")
        super().__init__(spec, bool(requires_grad))

    @property
    def dims(self):
        return self.spec.shape

    def __repr__(self):
        return f"Parameter containing:\n{super().__repr__()}"


class UninitializedParameter(Parameter):
    """A Lazy module's parameter before its first call: no shape yet."""

    __slots__ = ()

    def __init__(self, requires_grad=True):
        Tensor.__init__(self, Spec((), "float32"), requires_grad)

    def numel(self):
        return 0


class UninitializedBuffer(Tensor):
    __slots__ = ()

    def __init__(self, requires_grad=False):
        super().__init__(Spec((), "float32"), requires_grad)


def new_tensor(dims, dtype="float32"):
    """A tensor of these dims (ints or Dims)."""
    return Tensor(Spec(tuple(d if isinstance(d, Dim) else Known(d) for d in dims), dtype))


def param(*dims, requires_grad=True):
    """A module's own parameter with these dims."""
    p = Parameter(new_tensor(dims))
    p.requires_grad = requires_grad
    return p


def is_uninitialized(t):
    return isinstance(t, (UninitializedParameter, UninitializedBuffer))

"""Symbolic tensors with torch's API: a ``Tensor`` holds a ``Spec`` (a shape of Dims and a dtype), nothing else.

Creating one (``randn``, ``zeros``, ``randint``, ``tensor``, ...) only records its shape and dtype. Its methods
and operators go through the ops vocabulary (``shapewise.ops.torch_ops``: ``TENSOR_METHODS``), one explicit
dispatch per name: there is no ``__getattr__``, so a method shapewise does not know is an ``AttributeError``
naming it, never a guess.
"""

from __future__ import annotations

import math

from ..dims import Dim, Known
from ..engine import Spec
from ..errors import ArgumentError, RefusedError, ShapewiseError
from . import compute as _rec

# --------------------------------------------------------------------------------------------------------------
# dtypes and devices


class dtype:
    """A torch dtype: ``torch.float32`` (its ``name`` is the Spec's dtype string)."""

    __slots__ = ("is_complex", "is_floating_point", "itemsize", "name")

    def __init__(self, name, is_floating_point, itemsize, is_complex=False):
        self.name = name
        self.is_floating_point = is_floating_point
        self.is_complex = is_complex
        self.itemsize = itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):  # dtypes are singletons
        return (get_dtype, (self.name,))


float32 = dtype("float32", True, 4)
float64 = dtype("float64", True, 8)
float16 = dtype("float16", True, 2)
bfloat16 = dtype("bfloat16", True, 2)
int64 = dtype("int64", False, 8)
int32 = dtype("int32", False, 4)
int16 = dtype("int16", False, 2)
int8 = dtype("int8", False, 1)
uint8 = dtype("uint8", False, 1)
bool_ = dtype("bool", False, 1)
complex64 = dtype("complex64", False, 8, True)
complex128 = dtype("complex128", False, 16, True)

DTYPES = {d.name: d for d in (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_,
                              complex64, complex128)}
#: torch's other names for the same dtypes
DTYPE_ALIASES = {"float": float32, "double": float64, "half": float16, "long": int64, "int": int32,
                 "short": int16, "cfloat": complex64, "cdouble": complex128}
#: torch's names in error messages (``Long``, ``Float``)
SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16",
                "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
                "complex64": "ComplexFloat", "complex128": "ComplexDouble"}

_default_dtype = [float32]


def get_dtype(name):
    return DTYPES[name]


def as_dtype_name(value, default="float32"):
    """A dtype argument (a torch dtype, a name, Python's float/int/bool) as the Spec's dtype string."""
    if value is None:
        return default
    if type(value) is dtype:
        return value.name
    if value is float:
        return "float32"
    if value is int:
        return "int64"
    if value is bool:
        return "bool"
    if isinstance(value, str) and (value in DTYPES or value in DTYPE_ALIASES):
        return DTYPES.get(value, DTYPE_ALIASES.get(value)).name
    raise ArgumentError(f"expected a torch dtype (torch.float32, torch.long, ...), got {value!r}",
                        layer_type="dtype")


def is_floating(dtype_name):
    return DTYPES.get(dtype_name, float32).is_floating_point


class device:
    """``torch.device("cpu")``, ``torch.device("cuda", 0)``, ``"meta"``: only recorded, never used."""

    __slots__ = ("index", "type")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, str) and ":" in type:
            type, _, idx = type.partition(":")
            index = int(idx)
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        other = device(other) if isinstance(other, str) else other
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_CPU = device("cpu")


class Size(tuple):
    """``torch.Size``: a tuple of ints."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size([{', '.join(map(str, self))}])"

    __str__ = __repr__

    def numel(self):
        return math.prod(self)


# --------------------------------------------------------------------------------------------------------------
# The tensor


def _ops():
    """The ops vocabulary (imported on first use: a model made of modules alone never needs it)."""
    from ..ops import torch_ops

    return torch_ops


def _to_spec(value):
    """A call argument for the ops tables: Tensors as Specs, inside tuples and lists too."""
    kind = type(value)
    if kind is Tensor or isinstance(value, Tensor):
        return value.spec
    if kind is tuple or kind is list:
        return kind(map(_to_spec, value))
    if kind is Size:
        return tuple(value)
    if kind is dtype:
        return value.name
    return value


def wrap(result):
    """An op's result as torch returns it: a Spec as a Tensor, a known Dim as an int, tuples element-wise."""
    kind = type(result)
    if kind is Spec:
        return Tensor(result)
    if isinstance(result, Dim):
        return result.value if result.value is not None else result
    if kind is tuple or kind is list:
        return kind(map(wrap, result))
    if isinstance(result, tuple) and getattr(result, "_fields", None) == ("values", "indices"):
        return ValuesIndices(map(wrap, result))  # the ops tables' (values, indices) pair
    return result


class ValuesIndices(tuple):
    """What ``x.max(dim)``, ``sort``, ``topk`` return: a (values, indices) pair with those names."""

    __slots__ = ()

    @property
    def values(self):
        return self[0]

    @property
    def indices(self):
        return self[1]


_PAIRED = frozenset({"max", "min", "sort", "topk", "kthvalue", "median", "mode", "aminmax", "cummax", "cummin"})


#: the methods whose result's strides shapewise.torch.layout follows (kept here: the module loads on first use)
_LAYOUT_TRACKED = frozenset({"contiguous", "matmul", "mm", "bmm", "transpose", "swapaxes", "swapdims", "permute",
                             "t", "movedim", "view"})


def _method(name, self, args, kwargs):
    table = _ops().TENSOR_METHODS
    fn = table.get(name)
    if fn is None:
        raise RefusedError(f"the tensor method .{name}() is not in shapewise's vocabulary",
                           layer_type="Tensor", fix="only known tensor methods can be explained")
    out = wrap(fn([self.spec, *map(_to_spec, args)], {k: _to_spec(v) for k, v in kwargs.items()}))
    if name in _LAYOUT_TRACKED and type(out) is Tensor:
        from . import layout

        layout.after(name, self, list(map(_to_spec, args)), {k: _to_spec(v) for k, v in kwargs.items()}, out, table)
    if name in _PAIRED and type(out) is tuple and len(out) == 2:
        out = ValuesIndices(out)
    if _rec.ACTIVE is not None:
        _rec.ACTIVE.op(name, (self, *args), kwargs, out)
    return out


def _m(name):
    def method(self, *args, **kwargs):
        return _method(name, self, args, kwargs)

    method.__name__ = name
    return method


def _op(name):
    """An operator: ``x + y`` is ``TORCH_OPERATORS["__add__"]([x, y])`` (``2 * x`` is ``__rmul__``, x first)."""

    op = _rec.OPERATOR_OPS[name]
    reflected = name.startswith("__r") and name != "__rsub__"

    def method(self, *args):
        fn = _ops().TORCH_OPERATORS.get(name)
        if fn is None:
            raise RefusedError(f"the operator {name} on tensors is not in shapewise's vocabulary", layer_type="Tensor")
        out = wrap(fn([self.spec, *map(_to_spec, args)], {}))
        if name == "__matmul__" and type(out) is Tensor:
            from . import layout

            layout.after(name, self, args, {}, out, None)
        if _rec.ACTIVE is not None:  # the op torch runs: a reflected operator with its operands in torch's order
            _rec.ACTIVE.op(op, (*args, self) if reflected else (self, *args), {}, out)
        return out

    method.__name__ = name
    return method


#: attributes that are views of the tensor: recorded as ops (x.T is a permute; FLOPs and saved tensors follow it)
_VIEW_ATTRIBUTES = frozenset({"T", "mT"})


def _attribute(name):
    if name not in _VIEW_ATTRIBUTES:
        return property(lambda self: wrap(_ops().TENSOR_ATTRIBUTES[name](self.spec)))

    def view(self):
        out = wrap(_ops().TENSOR_ATTRIBUTES[name](self.spec))
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.op(name, (self,), {}, out)
        return out

    return property(view)


class Tensor:
    """A symbolic torch tensor: its Spec (shape of Dims, dtype) and whether it requires grad."""

    __slots__ = ("__weakref__", "high", "requires_grad", "spec", "strides")

    def __init__(self, spec, requires_grad=False, high=None):
        self.spec = spec
        self.requires_grad = requires_grad
        self.strides = None  # known only where certain (shapewise.torch.layout): for view()'s stride check
        #: for integer values known at creation (randint's high, arange's end, a literal's largest + 1): an
        #: exclusive upper bound, so that an embedding can see an id past its table as torch would on the CPU
        self.high = high

    # --- what a tensor knows about itself -------------------------------------------------------------------
    @property
    def shape(self):
        return Size(d.value for d in self.spec.shape)

    def size(self, dim=None):
        if dim is None:
            return self.shape
        rank = self.spec.rank
        if not isinstance(dim, int) or isinstance(dim, bool) or not -max(rank, 1) <= dim < max(rank, 1):
            raise ArgumentError(
                f"Dimension out of range (expected to be in range of [{-max(rank, 1)}, {max(rank, 1) - 1}], but "
                f"got {dim})", layer_type="Tensor.size")
        return self.spec.shape[dim].value

    def dim(self):
        return self.spec.rank

    ndimension = dim

    @property
    def ndim(self):
        return self.spec.rank

    def numel(self):
        return math.prod(d.value for d in self.spec.shape)

    nelement = numel

    @property
    def dtype(self):
        return DTYPES.get(self.spec.dtype, float32)

    @property
    def device(self):
        return _CPU

    @property
    def is_cuda(self):
        return False

    @property
    def grad(self):
        return None

    @property
    def data(self):
        return Tensor(self.spec)

    T = _attribute("T")
    mT = _attribute("mT")

    def is_floating_point(self):
        return is_floating(self.spec.dtype)

    def element_size(self):
        return self.dtype.itemsize

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    def __len__(self):
        if not self.spec.rank:
            raise TypeError("len() of a 0-d tensor")
        return self.spec.shape[0].value

    def __iter__(self):
        return iter(self.unbind(0))

    def __bool__(self):
        raise RefusedError("the truth value of a symbolic tensor is not known (its values are not computed)",
                           layer_type="Tensor")

    def __repr__(self):
        return f"tensor(..., size={tuple(self.shape)}, dtype={self.dtype!r})"

    # --- operators: explicit dispatch to the ops vocabulary (TORCH_OPERATORS) ----------------------------
    __abs__ = _op("__abs__")
    __add__ = _op("__add__")
    __and__ = _op("__and__")
    __eq__ = _op("__eq__")
    __floordiv__ = _op("__floordiv__")
    __ge__ = _op("__ge__")
    __getitem__ = _op("__getitem__")
    __gt__ = _op("__gt__")
    __iadd__ = _op("__iadd__")
    __iand__ = _op("__iand__")
    __imul__ = _op("__imul__")
    __invert__ = _op("__invert__")
    __ior__ = _op("__ior__")
    __ipow__ = _op("__ipow__")
    __isub__ = _op("__isub__")
    __itruediv__ = _op("__itruediv__")
    __le__ = _op("__le__")
    __lt__ = _op("__lt__")
    __matmul__ = _op("__matmul__")
    __mod__ = _op("__mod__")
    __mul__ = _op("__mul__")
    __ne__ = _op("__ne__")
    __neg__ = _op("__neg__")
    __or__ = _op("__or__")
    __pos__ = _op("__pos__")
    __pow__ = _op("__pow__")
    __radd__ = _op("__radd__")
    __rand__ = _op("__rand__")
    __rfloordiv__ = _op("__rfloordiv__")
    __rmatmul__ = _op("__rmatmul__")
    __rmod__ = _op("__rmod__")
    __rmul__ = _op("__rmul__")
    __ror__ = _op("__ror__")
    __rpow__ = _op("__rpow__")
    __rsub__ = _op("__rsub__")
    __rtruediv__ = _op("__rtruediv__")
    __sub__ = _op("__sub__")
    __truediv__ = _op("__truediv__")
    __xor__ = _op("__xor__")

    def __setitem__(self, key, value):
        """``x[...] = v`` writes values in place: the shape never changes."""
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.op("setitem", (self, key, value), {}, self)

    __hash__ = object.__hash__


#: Tensor methods, each an explicit dispatch to the ops vocabulary (TENSOR_METHODS)
METHOD_NAMES = (
    "abs", "abs_", "acos", "acosh", "add", "add_", "all", "amax", "amin", "any", "argmax", "argmin", "argsort",
    "asin", "asinh", "atan", "atan2", "atanh", "bfloat16", "bitwise_and", "bitwise_not", "bitwise_or",
    "bitwise_xor", "bmm", "bool", "byte", "ceil", "char", "chunk", "clamp", "clamp_", "clip", "clone", "contiguous",
    "cos", "cosh", "cpu", "cuda", "cumprod", "cumsum", "detach", "detach_", "div", "div_", "divide", "double", "eq",
    "erf", "erfc", "erfinv", "exp", "exp2", "exp_", "expand", "expand_as", "expm1", "flatten", "flip", "float",
    "floor", "floor_divide", "fmax", "fmin", "fmod", "fmod_", "frac", "gather", "ge", "greater", "greater_equal",
    "gt", "half", "hypot", "index_select", "int", "isfinite", "isinf", "isnan", "isneginf", "isposinf", "le",
    "less", "less_equal", "log", "log10", "log1p", "log2", "log_softmax", "logical_and", "logical_not",
    "logical_or", "logical_xor", "logsumexp", "long", "lt", "masked_fill", "masked_fill_", "masked_select",
    "matmul", "max", "maximum", "mean", "min", "minimum", "mm", "movedim", "mul", "mul_", "multiply", "nanmean",
    "nansum", "narrow", "ne", "neg", "neg_", "negative", "new_empty", "new_full", "new_ones", "new_zeros",
    "not_equal", "outer", "permute", "pin_memory", "pow", "pow_", "prod", "ravel", "reciprocal", "relu", "relu_",
    "remainder", "remainder_", "repeat", "repeat_interleave", "reshape", "reshape_as", "roll", "round", "rsqrt",
    "select", "share_memory_", "short", "sigmoid", "sigmoid_", "sign", "signbit", "sin", "sinh", "softmax", "sort",
    "split", "sqrt", "sqrt_", "square", "squeeze", "squeeze_", "std", "sub", "sub_", "subtract", "sum", "swapaxes",
    "swapdims", "t", "tan", "tanh", "tanh_", "tile", "to", "topk", "transpose", "transpose_", "tril", "tril_",
    "triu", "triu_", "true_divide", "trunc", "type", "type_as", "unbind", "unflatten", "unsqueeze", "unsqueeze_",
    "var", "view", "view_as", "where", "zero_",
)
for _name in METHOD_NAMES:
    setattr(Tensor, _name, _m(_name))
del _name


# --------------------------------------------------------------------------------------------------------------
# Factories: symbolic tensors with concrete sizes


def _size_args(size, fn):
    """``randn(2, 3)``, ``randn((2, 3))``, ``randn([2, 3])``, ``randn(torch.Size(...))`` as a tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Dim):
            if s.value is None:
                raise ArgumentError(f"{fn}() got a size that is not known ({s.names()})", layer_type=f"torch.{fn}",
                                    fix="give the size as a number")
            out.append(s)
            continue
        if isinstance(s, bool) or not isinstance(s, int):
            raise ArgumentError(
                f"{fn}(): argument 'size' must be tuple of ints, but found element of type {type(s).__name__}",
                layer_type=f"torch.{fn}")
        out.append(s)
    for s in out:
        v = s.value if isinstance(s, Dim) else s
        if v < 0:
            raise ArgumentError(
                f"Trying to create tensor with negative dimension {v}: [{', '.join(map(str, _values(out)))}]",
                layer_type=f"torch.{fn}")
    return tuple(s if isinstance(s, Dim) else Known(s) for s in out)


def _values(dims):
    return [d.value if isinstance(d, Dim) else d for d in dims]


def _make(size, fn, dtype, requires_grad, default=None):
    name = as_dtype_name(dtype, default or _default_dtype[0].name)
    return Tensor(Spec(_size_args(size, fn), name), bool(requires_grad))


def _factory(fn_name, default=None, float_only=False):
    def factory(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
                memory_format=None, generator=None, names=None, **given):
        if set(given) - {"size"} or (given and size):
            raise TypeError(f"{fn_name}() received an invalid combination of arguments")
        if given:
            size = (given["size"],)
        t = _make(size, fn_name, dtype, requires_grad, default)
        if float_only and not is_floating(t.spec.dtype):
            raise ArgumentError(f'"{fn_name}" not implemented for \'{SCALAR_NAMES[t.spec.dtype]}\'',
                                layer_type=f"torch.{fn_name}")
        return t

    factory.__name__ = fn_name
    return factory


randn = _factory("randn", float_only=True)
rand = _factory("rand", float_only=True)
zeros = _factory("zeros")
ones = _factory("ones")
empty = _factory("empty")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if dtype is None:
        dtype = "bool" if isinstance(fill_value, bool) else "int64" if isinstance(fill_value, int) else None
    return _make((size,), "full", dtype, requires_grad)


def randint(*args, size=None, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``randint(high, size)`` or ``randint(low, high, size)``; int64 by default."""
    args = list(args)
    if size is None:
        if not args:
            raise ArgumentError("randint() missing required argument 'size'", layer_type="torch.randint")
        size = args.pop()
    if len(args) == 1:
        low, high = 0, args[0]
    elif len(args) == 2:
        low, high = args
    else:
        raise ArgumentError("randint() takes high and size, or low, high and size", layer_type="torch.randint")
    if isinstance(high, int) and isinstance(low, int) and high <= low:
        raise ArgumentError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}",
                            layer_type="torch.randint")
    if not isinstance(size, (tuple, list)):
        raise ArgumentError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}",
                            layer_type="torch.randint")
    t = _make((tuple(size),), "randint", dtype, requires_grad, "int64")
    if isinstance(high, int) and not isinstance(high, bool):
        t.high = high
    return t


def arange(start, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    values = (start, end, step)
    if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        raise ArgumentError("arange() needs numbers for start, end and step", layer_type="torch.arange")
    if step == 0:
        raise ArgumentError("step must be nonzero", layer_type="torch.arange")
    n = max(0, math.ceil((end - start) / step))
    default = "int64" if all(isinstance(v, int) for v in values) else None
    t = _make(((n,),), "arange", dtype, requires_grad, default)
    if default and step > 0 and n:
        t.high = start + (n - 1) * step + 1
    return t


def _nested_shape(data):
    if isinstance(data, Tensor):
        return tuple(data.shape), data.spec.dtype
    if isinstance(data, (list, tuple)):
        if not data:
            return (0,), None
        inner = [_nested_shape(d) for d in data]
        shapes = {s for s, _ in inner}
        if len(shapes) != 1:
            raise ArgumentError(f"expected sequence of length {len(inner[0][0]) and inner[0][0][0]} at dim 1",
                                layer_type="torch.tensor")
        kinds = {k for _, k in inner}
        return (len(data), *inner[0][0]), _join_kinds(kinds)
    if isinstance(data, bool):
        return (), "bool"
    if isinstance(data, int):
        return (), "int64"
    if isinstance(data, float):
        return (), "float32"
    raise ArgumentError(f"Could not infer dtype of {type(data).__name__}", layer_type="torch.tensor")


def _join_kinds(kinds):
    kinds.discard(None)
    for k in ("float32", "int64", "bool"):
        if k in kinds:
            return k
    return next(iter(kinds), None)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    shape, kind = _nested_shape(data)
    t = Tensor(Spec(shape, as_dtype_name(dtype, kind or "float32")), bool(requires_grad))
    if kind == "int64":
        t.high = _largest(data) + 1
    return t


def _largest(data):
    if isinstance(data, (list, tuple)):
        return max((_largest(d) for d in data), default=-1)
    return data if isinstance(data, int) else -1


as_tensor = tensor


def _like(fn_name, float_only=False):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        if not isinstance(input, Tensor):
            raise ArgumentError(f"{fn_name}(): argument 'input' must be Tensor, not {type(input).__name__}",
                                layer_type=f"torch.{fn_name}")
        return Tensor(Spec(input.spec.shape, as_dtype_name(dtype, input.spec.dtype)), bool(requires_grad))

    like.__name__ = fn_name
    return like


zeros_like = _like("zeros_like")
ones_like = _like("ones_like")
empty_like = _like("empty_like")
randn_like = _like("randn_like")
rand_like = _like("rand_like")


def full_like(input, fill_value, **kwargs):
    return _like("full_like")(input, **kwargs)


def is_tensor(obj):
    return isinstance(obj, Tensor)


__all__ = [
    "ShapewiseError",
    "Size",
    "Tensor",
    "arange",
    "device",
    "dtype",
    "empty",
    "full",
    "ones",
    "rand",
    "randint",
    "randn",
    "tensor",
    "zeros",
]

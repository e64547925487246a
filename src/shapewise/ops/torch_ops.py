"""torch functions, tensor methods and ``torch.nn.functional`` on Specs: torch's names, argument names (``dim``,
``keepdim``), defaults, dtype promotion and error messages, over the shared rules of :mod:`.shapes`.

- ``TORCH_FUNCTIONS["cat"](args, kwargs)`` is ``torch.cat(*args, **kwargs)``;
- ``TENSOR_METHODS["view"](args, kwargs)`` is ``args[0].view(*args[1:], **kwargs)`` (the tensor comes first);
- ``TENSOR_ATTRIBUTES["shape"](spec)`` is ``x.shape`` (also ``T``, ``mT``, ``ndim``, ``dtype``, ...);
- ``TORCH_OPERATORS["__add__"](args, kwargs)`` is ``args[0] + args[1]``;
- ``FUNCTIONAL["relu"](args, kwargs)`` is ``torch.nn.functional.relu(*args, **kwargs)``.

dtypes are strings ("float32", "int64"); a dtype argument may be given as "float32" or "torch.float32" (the caller
turns ``torch.float32`` into one of these). A device argument is accepted and ignored.
"""

from __future__ import annotations

import math
from collections import namedtuple

from ..dims import Dim, Known, Unknown
from ..engine import Spec
from ..errors import ArgumentError, ShapeError
from . import shapes as S
from ._table import Table, nested_shape
from .dtypes import TORCH_DTYPES, is_complex, is_float, torch_promote, torch_result_type

__all__ = ["TORCH_FUNCTIONS", "TENSOR_METHODS", "TENSOR_ATTRIBUTES", "TORCH_OPERATORS", "FUNCTIONAL", "to_spec",
           "torch_dtype", "ValuesIndices"]

DEFAULT_FLOAT = "float32"
TORCH_FUNCTIONS = Table()
TENSOR_METHODS = Table()
FUNCTIONAL = Table()
TORCH_OPERATORS = Table()
TENSOR_ATTRIBUTES = {}

# torch.return_types.max and the like: a tuple (values, indices) that also reads .values / .indices
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])

_DTYPE_ALIASES = {"float": "float32", "double": "float64", "half": "float16", "long": "int64", "int": "int32",
                  "short": "int16", "bool": "bool", "cfloat": "complex64", "cdouble": "complex128",
                  "uint8": "uint8", "int8": "int8"}
_TYPE_NAMES = {"torch.FloatTensor": "float32", "torch.DoubleTensor": "float64", "torch.HalfTensor": "float16",
               "torch.LongTensor": "int64", "torch.IntTensor": "int32", "torch.BoolTensor": "bool",
               "torch.ByteTensor": "uint8", "torch.CharTensor": "int8", "torch.ShortTensor": "int16",
               "torch.BFloat16Tensor": "bfloat16"}
_TENSOR_TYPE = {v: k for k, v in _TYPE_NAMES.items()}


def torch_dtype(dtype):
    """A dtype argument ("float32", "torch.float32", "long", Python float/int/bool) as a dtype string."""
    if dtype is float:
        return "float64"
    if dtype is int:
        return "int64"
    if dtype is bool:
        return "bool"
    if isinstance(dtype, str):
        name = dtype[6:] if dtype.startswith("torch.") else dtype
        name = _DTYPE_ALIASES.get(name, name)
        if name in TORCH_DTYPES:
            return name
    raise ArgumentError(f"invalid dtype {dtype!r}", expected="a torch dtype such as torch.float32 or torch.long")


def _opt_dtype(dtype):
    return None if dtype is None else torch_dtype(dtype)


def to_spec(value, what="input"):
    """A tensor argument: a Spec (a Python number or a nested list is made a tensor only where torch does)."""
    if isinstance(value, Spec):
        return value
    raise ArgumentError(f"{what} must be a Tensor, not {_type_name(value)}",
                        expected="a tensor", fix="pass a tensor (torch.tensor(...) makes one from numbers)")


def _type_name(value):
    if isinstance(value, Dim):
        return "int"
    return type(value).__name__


def _operand(value, what="other"):
    """A tensor or a Python number (kept as is: torch types numbers weakly)."""
    if isinstance(value, Spec):
        return value
    if isinstance(value, Dim):
        return 0
    if isinstance(value, (bool, int, float, complex)):
        return value
    raise ArgumentError(f"{what} must be a Tensor or a number, not {_type_name(value)}", expected="a tensor")


def _shape_of(value):
    return value.shape if isinstance(value, Spec) else ()


def _size_args(args, what="size"):
    """torch's size arguments: ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` or ``zeros(x.shape)``."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    out = S.dims(tuple(args), what)
    for d in out:
        if d.value is not None and d.value < 0:
            raise ShapeError(f"Trying to create tensor with negative dimension {d.value}: {S.fmt(out, 'torch')}",
                             expected="sizes ≥ 0")
    return out


def _dim_arg(dim):
    """A dim argument: None, an int, or a tuple/list of ints."""
    if dim is None or isinstance(dim, (int, Dim)) and not isinstance(dim, bool):
        return dim
    if isinstance(dim, (tuple, list)):
        return tuple(dim)
    raise ArgumentError(f"dim must be an int or a tuple of ints, not {_type_name(dim)}", expected="an int")


def _msig(sig):
    """A function's signature as the tensor method's: no ``out=``."""
    sig = sig.replace(", out=None", "")
    return sig[:-3] if sig.endswith(", *") else sig


def _both(names, sig, method_sig=None):
    """Register a rule as the torch function ``names`` and as the tensor method of the same name."""
    def register(rule):
        TORCH_FUNCTIONS.op(names, sig)(rule)
        TENSOR_METHODS.op(names, _msig(method_sig or sig))(rule)
        return rule
    return register


# --------------------------------------------------------------------------------------------------------------
# Elementwise


def _same(x):
    return x


def _float_or_fail(name):
    def rule(dtype):
        if not (is_float(dtype) or is_complex(dtype)):
            raise ShapeError(f'"{name}" not implemented for \'{_long_name(dtype)}\'',
                             expected="a floating-point tensor", fix="convert it first: x.float()")
        return dtype
    return rule


def _not_bool(dtype):
    if dtype == "bool":
        raise ShapeError("this operation is not supported on a bool tensor", expected="a number tensor",
                         fix="use ~x or x.logical_not() for a mask, or convert it: x.float()")
    return dtype


def _int_not_bool(name, unsigned_ok=True):
    def rule(dtype):
        if dtype == "bool":
            raise ShapeError(f"Boolean inputs not supported for {name}", expected="a number tensor")
        if not unsigned_ok and dtype == "uint8":
            raise ShapeError(f"Cannot do {name} on an unsigned type with negative limits", expected="a signed tensor")
        return dtype
    return rule


def _to_float(dtype):
    return dtype if is_float(dtype) or is_complex(dtype) else DEFAULT_FLOAT


_LONG_NAMES = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
               "float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16"}


def _long_name(dtype):
    return _LONG_NAMES.get(dtype, dtype)


def _unary(dtype_rule):
    def rule(input, *_, **__):
        x = to_spec(input)
        return Spec(x.shape, dtype_rule(x.dtype))
    return rule


_UNARY_SAME = "sign clone detach square"
_UNARY_NOT_BOOL = "abs neg negative floor ceil round trunc frac relu"  # torch has no bool kernel for these
_UNARY_FLOAT = ("sqrt rsqrt exp exp2 expm1 log log2 log10 log1p sin cos tan tanh asin acos atan sinh cosh asinh "
                "acosh atanh sigmoid erf erfc erfinv reciprocal")
_UNARY_BOOL = "isnan isinf isfinite isneginf isposinf signbit logical_not"

for _name in _UNARY_SAME.split():
    _both(_name, "input")(_unary(_same))
for _name in _UNARY_NOT_BOOL.split():
    _both(_name, "input")(_unary(_not_bool))
for _name in _UNARY_FLOAT.split():
    _both(_name, "input")(_unary(_to_float))
for _name in _UNARY_BOOL.split():
    _both(_name, "input")(_unary(lambda d: "bool"))
_both("bitwise_not", "input")(_unary(_same))
for _name in ("contiguous", "cpu", "cuda", "requires_grad_", "detach_", "share_memory_", "pin_memory"):
    TENSOR_METHODS.op(_name, "self, *args, **kwargs")(lambda self, args, kwargs: to_spec(self))
for _name, _dt in {"float": "float32", "double": "float64", "half": "float16", "bfloat16": "bfloat16",
                   "long": "int64", "int": "int32", "short": "int16", "bool": "bool", "byte": "uint8",
                   "char": "int8"}.items():
    TENSOR_METHODS.op(_name, "self, memory_format=None")(
        lambda self, memory_format=None, _d=_dt: Spec(to_spec(self).shape, _d))
for _name in ("relu_", "sigmoid_", "tanh_", "zero_", "abs_", "neg_", "exp_", "sqrt_", "clamp_"):
    TENSOR_METHODS.op(_name, "self, *args, **kwargs")(lambda self, args, kwargs: to_spec(self))


def _binary(dtype_rule, name):
    def rule(input, other, *args, **kwargs):
        a, b = _operand(input, "input"), _operand(other)
        if not isinstance(a, Spec) and not isinstance(b, Spec):
            raise ArgumentError(f"{name}(): argument 'input' must be Tensor, not {_type_name(a)}",
                                expected="a tensor")
        shape = S.broadcast(_shape_of(a), _shape_of(b), fw="torch")
        return Spec(shape, dtype_rule(torch_result_type(a, b), a, b))
    return rule


def _div_dtype(dtype, a, b, rounding_mode=None):
    return dtype if is_float(dtype) or is_complex(dtype) else DEFAULT_FLOAT


_BINARY = {
    (lambda d, a, b: d): ("add sub subtract mul multiply maximum minimum fmod remainder pow atan2 hypot "
                          "floor_divide bitwise_and bitwise_or bitwise_xor fmax fmin"),
    (lambda d, a, b: "bool"): "eq ne lt le gt ge greater less greater_equal less_equal not_equal logical_and "
                              "logical_or logical_xor",
}
for _rule, _names in _BINARY.items():
    for _name in _names.split():
        sig = "input, other, *, alpha=1, out=None" if _name in ("add", "sub", "subtract") else "input, other, *, out=None"
        TORCH_FUNCTIONS.op(_name, sig)(_binary(_rule, _name))
        TENSOR_METHODS.op(_name, _msig(sig))(_binary(_rule, _name))
        if _name in ("add", "sub", "mul", "pow", "fmod", "remainder"):
            TENSOR_METHODS.op(_name + "_", _msig(sig))(_binary(_rule, _name))


def _div(input, other, rounding_mode=None, out=None):
    a, b = _operand(input, "input"), _operand(other)
    shape = S.broadcast(_shape_of(a), _shape_of(b), fw="torch")
    dtype = torch_result_type(a, b)
    if rounding_mode is None:
        dtype = _div_dtype(dtype, a, b)
    elif rounding_mode not in ("trunc", "floor"):
        raise ArgumentError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                            f"'{rounding_mode}'")
    return Spec(shape, dtype)


for _name in ("div", "divide", "true_divide"):
    sig = "input, other, *, rounding_mode=None, out=None" if _name != "true_divide" else "input, other, *, out=None"
    TORCH_FUNCTIONS.op(_name, sig)(_div)
    TENSOR_METHODS.op(_name, _msig(sig))(_div)
TENSOR_METHODS.op("div_", "input, other, *, rounding_mode=None")(_div)


@_both("where", "condition, input, other, *, out=None", "condition, input, other")
def _where(condition, input, other, out=None):
    c = to_spec(condition, "condition")
    if c.dtype != "bool":
        raise ShapeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                         f"{_long_name(c.dtype)}", expected="a bool condition", fix="compare first: x > 0")
    a, b = _operand(input, "input"), _operand(other)
    shape = S.broadcast(c.shape, _shape_of(a), _shape_of(b), fw="torch")
    return Spec(shape, torch_result_type(a, b))


@_both(("clamp", "clip"), "input, min=None, max=None, *, out=None", "input, min=None, max=None")
def _clamp(input, min=None, max=None, out=None):
    x = to_spec(input)
    if min is None and max is None:
        raise ShapeError("torch.clamp: At least one of 'min' or 'max' must not be None",
                         expected="min= or max=")
    operands = [x] + [v for v in (min, max) if v is not None]
    shape = S.broadcast(*[_shape_of(_operand(v)) for v in operands], fw="torch")
    return Spec(shape, torch_result_type(*[_operand(v) for v in operands]))


@TENSOR_METHODS.op("masked_fill", "self, mask, value")
def _masked_fill(self, mask, value):
    """Out of place, the tensor and the mask broadcast together (x.masked_fill_ keeps x's shape)."""
    x, m = to_spec(self), to_spec(mask, "mask")
    if m.dtype != "bool":
        raise ShapeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_long_name(m.dtype)}",
                         expected="a bool mask", fix="compare first: mask == 0")
    if isinstance(value, Spec) and value.shape:
        raise ShapeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                         f"{len(value.shape)} dimension(s).", expected="a number")
    return Spec(S.broadcast(x.shape, m.shape, fw="torch"), x.dtype)


@TENSOR_METHODS.op("masked_fill_", "self, mask, value")
def _masked_fill_(self, mask, value):
    x, m = to_spec(self), to_spec(mask, "mask")
    if m.dtype != "bool":
        raise ShapeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_long_name(m.dtype)}",
                         expected="a bool mask", fix="compare first: mask == 0")
    shape = S.broadcast(x.shape, m.shape, fw="torch")
    if len(shape) != len(x.shape) or any(S._differ(a, b) for a, b in zip(shape, x.shape)):
        raise ShapeError(f"The size of tensor a ({x.shape[-1].value if x.shape else 1}) must match the size of "
                         f"tensor b ({m.shape[-1].value if m.shape else 1}) at non-singleton dimension "
                         f"{len(shape) - 1}", expected="a mask that broadcasts to the tensor's shape")
    if isinstance(value, Spec) and value.shape:
        raise ShapeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                         f"{len(value.shape)} dimension(s).", expected="a number")
    return Spec(x.shape, x.dtype)


TORCH_FUNCTIONS.op("masked_fill", "input, mask, value")(lambda input, mask, value: _masked_fill(input, mask, value))


# --------------------------------------------------------------------------------------------------------------
# Products


@_both("matmul", "input, other, *, out=None", "input, other")
def _matmul(input, other, out=None):
    a, b = to_spec(input), to_spec(other, "other")
    _same_dtype(a, b, "expected m1 and m2 to have the same dtype")
    return Spec(S.matmul(a.shape, b.shape, fw="torch"), a.dtype)


def _same_dtype(a, b, message):
    if a.dtype != b.dtype:
        raise ShapeError(f"{message}, but got: {_long_name(a.dtype)} != {_long_name(b.dtype)}",
                         expected="both operands of one dtype", fix="cast one: .float() or .to(x.dtype)")


@_both("mm", "input, mat2, *, out=None", "input, mat2")
def _mm(input, mat2, out=None):
    a, b = to_spec(input), to_spec(mat2, "mat2")
    shape = S.mm(a.shape, b.shape)
    _same_dtype(a, b, "expected m1 and m2 to have the same dtype")
    return Spec(shape, a.dtype)


@_both("bmm", "input, mat2, *, out=None", "input, mat2")
def _bmm(input, mat2, out=None):
    a, b = to_spec(input), to_spec(mat2, "mat2")
    shape = S.bmm(a.shape, b.shape)
    _same_dtype(a, b, "expected scalar type")
    return Spec(shape, a.dtype)


@TORCH_FUNCTIONS.op("einsum", "equation, *operands")
def _einsum(equation, operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = operands[0]
    specs = [to_spec(o, "operands") for o in operands]
    dtype = specs[0].dtype if specs else DEFAULT_FLOAT
    return Spec(S.einsum(equation, [s.shape for s in specs], fw="torch"), dtype)


@_both("outer", "input, vec2, *, out=None", "input, vec2")
def _outer(input, vec2, out=None):
    a, b = to_spec(input), to_spec(vec2, "vec2")
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise ShapeError(f"outer: Expected 1-D argument self, but got {len(a.shape)}-D", expected="two vectors")
    return Spec((a.shape[0], b.shape[0]), torch_promote(a.dtype, b.dtype))


# --------------------------------------------------------------------------------------------------------------
# Shapes and views


def _view_target(shape_args):
    if len(shape_args) == 1 and isinstance(shape_args[0], (tuple, list)):
        return tuple(shape_args[0])
    return tuple(shape_args)


def _check_ints(target):
    for t in target:
        if isinstance(t, bool) or not isinstance(t, (int, Dim)):
            raise ArgumentError(f"view(): argument 'size' must be tuple of ints, but found element of type "
                                f"{_type_name(t)}", expected="ints")


@TENSOR_METHODS.op("view", "self, *shape")
def _view(self, shape):
    x = to_spec(self)
    if len(shape) == 1 and isinstance(shape[0], str):  # x.view(torch.int32): a reinterpretation of the bytes
        return Spec(x.shape, torch_dtype(shape[0]))
    target = _view_target(shape)
    _check_ints(target)
    return Spec(S.reshape(x.shape, target, fw="torch"), x.dtype)


@TENSOR_METHODS.op("reshape", "self, *shape")
def _reshape_method(self, shape):
    x = to_spec(self)
    target = _view_target(shape)
    _check_ints(target)
    return Spec(S.reshape(x.shape, target, fw="torch"), x.dtype)


@TORCH_FUNCTIONS.op("reshape", "input, shape")
def _reshape(input, shape):
    x = to_spec(input)
    target = tuple(shape) if isinstance(shape, (tuple, list)) else (shape,)
    _check_ints(target)
    return Spec(S.reshape(x.shape, target, fw="torch"), x.dtype)


@TENSOR_METHODS.op(("view_as", "reshape_as"), "self, other")
def _view_as(self, other):
    x, o = to_spec(self), to_spec(other, "other")
    return Spec(S.reshape(x.shape, o.shape, fw="torch"), x.dtype)


@_both("flatten", "input, start_dim=0, end_dim=-1")
def _flatten(input, start_dim=0, end_dim=-1):
    x = to_spec(input)
    return Spec(S.flatten(x.shape, start_dim, end_dim), x.dtype)


@_both("unflatten", "input, dim, sizes")
def _unflatten(input, dim, sizes):
    x = to_spec(input)
    return Spec(S.unflatten(x.shape, dim, sizes), x.dtype)


@_both("ravel", "input")
def _ravel(input):
    x = to_spec(input)
    return Spec((S.size_of(x.shape),), x.dtype)


@TENSOR_METHODS.op("permute", "self, *dims")
def _permute_method(self, dims):
    x = to_spec(self)
    return Spec(S.permute(x.shape, _view_target(dims), fw="torch"), x.dtype)


@TORCH_FUNCTIONS.op("permute", "input, dims")
def _permute(input, dims):
    x = to_spec(input)
    return Spec(S.permute(x.shape, tuple(dims) if isinstance(dims, (tuple, list)) else (dims,), fw="torch"),
                x.dtype)


@_both(("transpose", "swapaxes", "swapdims"), "input, dim0, dim1")
def _transpose(input, dim0, dim1):
    x = to_spec(input)
    return Spec(S.swapaxes(x.shape, dim0, dim1, fw="torch"), x.dtype)


TENSOR_METHODS.op("transpose_", "input, dim0, dim1")(_transpose)


@_both("t", "input")
def _t(input):
    x = to_spec(input)
    if len(x.shape) > 2:
        raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {len(x.shape)}D",
                         expected="a matrix", fix="use x.transpose(-2, -1) or x.mT")
    return Spec(tuple(reversed(x.shape)), x.dtype)


@_both("movedim", "input, source, destination")
def _movedim(input, source, destination):
    x = to_spec(input)
    return Spec(S.moveaxis(x.shape, source, destination, fw="torch"), x.dtype)


@_both("unsqueeze", "input, dim")
def _unsqueeze(input, dim):
    x = to_spec(input)
    return Spec(S.expand_dims(x.shape, S._int(dim, "dim"), fw="torch"), x.dtype)


TENSOR_METHODS.op("unsqueeze_", "input, dim")(_unsqueeze)


@_both("squeeze", "input, dim=None")
def _squeeze(input, dim=None):
    x = to_spec(input)
    return Spec(S.squeeze(x.shape, _dim_arg(dim), fw="torch"), x.dtype)


TENSOR_METHODS.op("squeeze_", "input, dim=None")(_squeeze)


@TENSOR_METHODS.op("expand", "self, *sizes")
def _expand(self, sizes):
    x = to_spec(self)
    return Spec(S.expand(x.shape, _view_target(sizes)), x.dtype)


@TENSOR_METHODS.op("expand_as", "self, other")
def _expand_as(self, other):
    x, o = to_spec(self), to_spec(other, "other")
    return Spec(S.expand(x.shape, o.shape), x.dtype)


@TORCH_FUNCTIONS.op("broadcast_to", "input, size")
def _broadcast_to(input, size):
    x = to_spec(input)
    return Spec(S.expand(x.shape, size if isinstance(size, (tuple, list)) else (size,)), x.dtype)


@TENSOR_METHODS.op("repeat", "self, *repeats")
def _repeat(self, repeats):
    x = to_spec(self)
    return Spec(S.tile(x.shape, _view_target(repeats), fw="torch"), x.dtype)


@TENSOR_METHODS.op("tile", "self, *dims")
def _tile_method(self, dims):
    return _tile(self, _view_target(dims))


@TORCH_FUNCTIONS.op("tile", "input, dims")
def _tile(input, dims):
    x = to_spec(input)
    reps = list(dims) if isinstance(dims, (tuple, list)) else [dims]
    return Spec(S.tile(x.shape, reps, fw="keras"), x.dtype)


@_both("repeat_interleave", "input, repeats, dim=None, *, output_size=None")
def _repeat_interleave(input, repeats, dim=None, output_size=None):
    x = to_spec(input)
    if isinstance(repeats, Spec):
        return _repeat_tensor(x, repeats, dim)
    return Spec(S.repeat(x.shape, repeats, dim, fw="torch"), x.dtype)


def _repeat_tensor(x, repeats, dim):
    """repeat_interleave with a tensor of counts: the new size is their sum, which is data."""
    if dim is None:
        return Spec((S.UNKNOWN,), x.dtype)
    ax = S.norm_axis(dim, len(x.shape), "torch")
    return Spec((*x.shape[:ax], S.UNKNOWN, *x.shape[ax + 1:]), x.dtype)


@_both(("tril", "triu"), "input, diagonal=0, *, out=None", "input, diagonal=0")
def _tril(input, diagonal=0, out=None):
    x = to_spec(input)
    if len(x.shape) < 2:
        raise ShapeError("tril/triu: input tensor must have at least 2 dimensions", expected="a matrix")
    return Spec(x.shape, x.dtype)


TENSOR_METHODS.op(("tril_", "triu_"), "input, diagonal=0")(_tril)


@TORCH_FUNCTIONS.op("flip", "input, dims")
def _flip(input, dims):
    x = to_spec(input)
    S.norm_axes(dims if isinstance(dims, (tuple, list)) else (dims,), max(len(x.shape), 1), "torch")
    return Spec(x.shape, x.dtype)


@TENSOR_METHODS.op("flip", "self, *dims")
def _flip_method(self, dims):
    return _flip(self, _view_target(dims))


@_both("roll", "input, shifts, dims=None")
def _roll(input, shifts, dims=None):
    x = to_spec(input)
    if dims is not None:
        S.norm_axes(dims if isinstance(dims, (tuple, list)) else (dims,), len(x.shape), "torch", unique=False)
    return Spec(x.shape, x.dtype)


@TENSOR_METHODS.op("size", "self, dim=None")
def _size(self, dim=None):
    x = to_spec(self)
    if dim is None:
        return tuple(x.shape)
    return x.shape[S.norm_axis(dim, len(x.shape), "torch")]


@TENSOR_METHODS.op(("dim", "ndimension"), "self")
def _dim(self):
    return len(to_spec(self).shape)


@TENSOR_METHODS.op(("numel", "nelement"), "self")
def _numel(self):
    n = S.size_of(to_spec(self).shape)
    return n.value if n.value is not None else n


TORCH_FUNCTIONS.op("numel", "input")(lambda input: _numel(input))


@TENSOR_METHODS.op("to", "self, *args, **kwargs")
def _to(self, args, kwargs):
    """x.to(dtype), x.to(device), x.to(device, dtype), x.to(other), x.to(dtype=..., device=...)."""
    x = to_spec(self)
    dtype = kwargs.get("dtype")
    for a in args:
        if isinstance(a, Spec):
            dtype = a.dtype
        elif isinstance(a, str):
            try:
                dtype = torch_dtype(a)
            except ArgumentError:
                pass  # a device name such as "cuda"
    return Spec(x.shape, x.dtype if dtype is None else torch_dtype(dtype))


@TENSOR_METHODS.op("type", "self, dtype=None, non_blocking=False")
def _type(self, dtype=None, non_blocking=False):
    x = to_spec(self)
    if dtype is None:
        return _TENSOR_TYPE.get(x.dtype, "torch.Tensor")
    if isinstance(dtype, str) and dtype in _TYPE_NAMES:
        return Spec(x.shape, _TYPE_NAMES[dtype])
    return Spec(x.shape, torch_dtype(dtype))


@TENSOR_METHODS.op("type_as", "self, other")
def _type_as(self, other):
    return Spec(to_spec(self).shape, to_spec(other, "other").dtype)


def _attr_T(x):
    if len(x.shape) not in (0, 2):
        pass  # torch deprecates .T on other ranks but still reverses every dim
    return Spec(tuple(reversed(x.shape)), x.dtype)


def _attr_mT(x):
    if not x.shape:
        return x
    if len(x.shape) < 2:
        raise ShapeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {len(x.shape)}-D "
                         "tensor.", expected="at least 2 dims")
    return Spec((*x.shape[:-2], x.shape[-1], x.shape[-2]), x.dtype)


TENSOR_ATTRIBUTES.update({
    "shape": lambda x: tuple(x.shape),
    "T": _attr_T,
    "mT": _attr_mT,
    "ndim": lambda x: len(x.shape),
    "dtype": lambda x: x.dtype,
    "data": lambda x: x,
    "device": lambda x: "cpu",
    "is_cuda": lambda x: False,
    "requires_grad": lambda x: False,
})


# --------------------------------------------------------------------------------------------------------------
# Joining and splitting


def _tensor_list(tensors, what):
    if not isinstance(tensors, (list, tuple)):
        raise ArgumentError(f"{what}(): argument 'tensors' must be tuple of Tensors, not {_type_name(tensors)}",
                            expected="a list or tuple of tensors")
    return [to_spec(t, "tensors") for t in tensors]


@TORCH_FUNCTIONS.op(("cat", "concat", "concatenate"), "tensors, dim=0, *, out=None")
def _cat(tensors, dim=0, out=None):
    specs = _tensor_list(tensors, "cat")
    specs = [s for s in specs if not (len(s.shape) == 1 and s.shape[0].value == 0)] or specs[:1]
    shape = S.concatenate([s.shape for s in specs], dim, fw="torch")
    dtype = specs[0].dtype
    for s in specs[1:]:
        dtype = torch_promote(dtype, s.dtype)
    return Spec(shape, dtype)


@TORCH_FUNCTIONS.op("stack", "tensors, dim=0, *, out=None")
def _stack(tensors, dim=0, out=None):
    specs = _tensor_list(tensors, "stack")
    shape = S.stack([s.shape for s in specs], dim, fw="torch")
    dtype = specs[0].dtype
    for s in specs[1:]:
        dtype = torch_promote(dtype, s.dtype)
    return Spec(shape, dtype)


@_both("split", "tensor, split_size_or_sections, dim=0", "self, split_size, dim=0")
def _split(tensor=None, split_size_or_sections=None, dim=0, self=None, split_size=None):
    x = to_spec(tensor if self is None else self)
    sizes = split_size_or_sections if self is None else split_size
    return tuple(Spec(p, x.dtype) for p in S.split_sizes(x.shape, sizes, dim))


@_both("chunk", "input, chunks, dim=0")
def _chunk(input, chunks, dim=0):
    x = to_spec(input)
    return tuple(Spec(p, x.dtype) for p in S.chunk(x.shape, chunks, dim))


@_both("unbind", "input, dim=0")
def _unbind(input, dim=0):
    x = to_spec(input)
    ax = S.norm_axis(dim, len(x.shape), "torch")
    n = x.shape[ax].value
    if n is None:
        raise ShapeError("unbind along a dim of unknown size gives an unknown number of tensors",
                         expected="a known size")
    return tuple(Spec((*x.shape[:ax], *x.shape[ax + 1:]), x.dtype) for _ in range(S._parts(n)))


@_both("narrow", "input, dim, start, length")
def _narrow(input, dim, start, length):
    x = to_spec(input)
    ax = S.norm_axis(dim, len(x.shape), "torch")
    size, st, ln = x.shape[ax], S._int(start, "start"), S._int(length, "length")
    if size.value is not None:
        if st < 0:
            st += size.value
        if not 0 <= st <= size.value or ln < 0 or st + ln > size.value:
            raise ShapeError(f"start ({st}) + length ({ln}) exceeds dimension size ({size.value}).",
                             expected=f"start + length ≤ {size.value}")
    return Spec((*x.shape[:ax], Known(ln), *x.shape[ax + 1:]), x.dtype)


@_both("select", "input, dim, index")
def _select(input, dim, index):
    x = to_spec(input)
    if not x.shape:
        raise ShapeError("select() cannot be applied to a 0-dim tensor.", expected="a tensor with a dim")
    ax = S.norm_axis(dim, len(x.shape), "torch")
    i, size = S._int(index, "index"), x.shape[ax]
    if size.value is not None and not -size.value <= i < size.value:
        raise ShapeError(f"select(): index {i} out of range for tensor of size {S.fmt(x.shape, 'torch')} at "
                         f"dimension {ax}", expected=f"an index in [-{size.value}, {size.value})")
    return Spec((*x.shape[:ax], *x.shape[ax + 1:]), x.dtype)


# --------------------------------------------------------------------------------------------------------------
# Reductions


def _reduce_sig(name):
    return "input, dim=None, keepdim=False, *, dtype=None, out=None"


def _sum(input, dim=None, keepdim=False, dtype=None, out=None, axis=None):
    x = to_spec(input)
    dim = axis if dim is None else dim
    out_dtype = _opt_dtype(dtype) or ("int64" if x.dtype == "bool" or x.dtype in ("uint8", "int8", "int16",
                                                                                   "int32", "int64") else x.dtype)
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), out_dtype)


def _mean(input, dim=None, keepdim=False, dtype=None, out=None, axis=None):
    x = to_spec(input)
    dim = axis if dim is None else dim
    out_dtype = _opt_dtype(dtype) or x.dtype
    if not (is_float(out_dtype) or is_complex(out_dtype)):
        raise ShapeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                         f"complex dtype. Got: {_long_name(out_dtype)}", expected="a floating-point tensor",
                         fix="convert first: x.float().mean(...)")
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), out_dtype)


for _name, _fn in (("sum", _sum), ("mean", _mean), ("nansum", _sum), ("nanmean", _mean)):
    TORCH_FUNCTIONS.op(_name, "input, dim=None, keepdim=False, *, dtype=None, out=None, axis=None")(_fn)
    TENSOR_METHODS.op(_name, "input, dim=None, keepdim=False, *, dtype=None, axis=None")(_fn)


@_both("prod", "input, dim=None, keepdim=False, *, dtype=None", "input, dim=None, keepdim=False, *, dtype=None")
def _prod(input, dim=None, keepdim=False, dtype=None):
    if isinstance(dim, (tuple, list)):
        raise ArgumentError("prod(): argument 'dim' must be int, not tuple", expected="one dim")
    return _sum(input, dim, keepdim, dtype)


def _std(input, dim=None, correction=None, keepdim=False, unbiased=None, out=None):
    x = to_spec(input)
    if not (is_float(x.dtype) or is_complex(x.dtype)):
        raise ShapeError("std and var only support floating point and complex dtypes", expected="a float tensor")
    if isinstance(dim, bool):  # x.std(True): the old `unbiased` positional
        dim = None
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), x.dtype)


for _name in ("std", "var"):
    _both(_name, "input, dim=None, *, correction=None, keepdim=False, unbiased=None, out=None",
          "input, dim=None, *, correction=None, keepdim=False, unbiased=None")(_std)


@_both(("amax", "amin"), "input, dim=(), keepdim=False, *, out=None", "input, dim=(), keepdim=False")
def _amax(input, dim=(), keepdim=False, out=None):
    x = to_spec(input)
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), x.dtype)


@_both(("all", "any"), "input, dim=None, keepdim=False, *, out=None", "input, dim=None, keepdim=False")
def _all(input, dim=None, keepdim=False, out=None):
    x = to_spec(input)
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), "uint8" if x.dtype == "uint8" else "bool")


@_both("logsumexp", "input, dim, keepdim=False, *, out=None", "input, dim, keepdim=False")
def _logsumexp(input, dim, keepdim=False, out=None):
    x = to_spec(input)
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), _to_float(x.dtype))


def _max(input, dim=None, keepdim=False, out=None, other=None):
    """max() → a 0-dim tensor; max(dim) → (values, indices); max(other tensor) → elementwise maximum."""
    x = to_spec(input)
    if isinstance(dim, Spec):
        return _binary(lambda d, a, b: d, "max")(x, dim)
    if dim is None:
        if not x.shape or S.size_of(x.shape).value != 0:
            return Spec((), x.dtype)
        raise ShapeError("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                         "reduction dim with the 'dim' argument.", expected="a non-empty tensor")
    if isinstance(dim, (tuple, list)):
        raise ArgumentError("max() received an invalid combination of arguments: dim must be an int",
                            expected="one dim", fix="use torch.amax(x, dim=(...)) for several dims")
    if not x.shape:
        S.norm_axis(dim, 1, "torch")
        shape = ()
    else:
        shape = S.reduce(x.shape, S._int(dim, "dim"), bool(keepdim), fw="torch")
    return ValuesIndices(Spec(shape, x.dtype), Spec(shape, "int64"))


for _name in ("max", "min"):
    TORCH_FUNCTIONS.op(_name, "input, dim=None, keepdim=False, *, out=None")(_max)
    TENSOR_METHODS.op(_name, "input, dim=None, keepdim=False")(_max)


@_both(("argmax", "argmin"), "input, dim=None, keepdim=False")
def _argmax(input, dim=None, keepdim=False):
    x = to_spec(input)
    if dim is None:
        shape = (S.ONE,) * len(x.shape) if keepdim else ()
    elif not x.shape:
        S.norm_axis(dim, 1, "torch")
        shape = ()
    else:
        shape = S.reduce(x.shape, S._int(dim, "dim"), bool(keepdim), fw="torch")
    return Spec(shape, "int64")


@_both("cumsum", "input, dim, *, dtype=None, out=None", "input, dim, *, dtype=None")
def _cumsum(input, dim, dtype=None, out=None):
    x = to_spec(input)
    if x.shape:
        S.norm_axis(dim, len(x.shape), "torch")
    out_dtype = _opt_dtype(dtype) or ("int64" if x.dtype in ("bool", "uint8", "int8", "int16", "int32") else x.dtype)
    return Spec(x.shape, out_dtype)


TENSOR_METHODS.op("cumprod", "input, dim, *, dtype=None")(_cumsum)
TORCH_FUNCTIONS.op("cumprod", "input, dim, *, dtype=None, out=None")(_cumsum)


def _softmax_dtype(x, dtype, name):
    out = _opt_dtype(dtype) or x.dtype
    if not is_float(out):
        raise ShapeError(f'"{name}" not implemented for \'{_long_name(out)}\'', expected="a floating-point tensor",
                         fix="convert first: x.float()")
    return out


def _softmax(input, dim=None, dtype=None, _stacklevel=3):
    x = to_spec(input)
    if dim is None:
        raise ArgumentError("softmax() missing the dim argument: torch's implicit dim choice is deprecated",
                            expected="dim=...", fix="pass dim=-1 (the last axis)")
    if x.shape:
        S.norm_axis(dim, len(x.shape), "torch")
    else:
        S.norm_axis(dim, 1, "torch")
    return Spec(x.shape, _softmax_dtype(x, dtype, "softmax_lastdim_kernel_impl"))


for _name in ("softmax", "log_softmax"):
    TORCH_FUNCTIONS.op(_name, "input, dim, dtype=None")(_softmax)
    TENSOR_METHODS.op(_name, "input, dim, dtype=None")(_softmax)
    FUNCTIONAL.op(_name, "input, dim=None, _stacklevel=3, dtype=None")(_softmax)
FUNCTIONAL.op("softmin", "input, dim=None, _stacklevel=3, dtype=None")(_softmax)


@_both("topk", "input, k, dim=-1, largest=True, sorted=True, *, out=None", "input, k, dim=-1, largest=True, sorted=True")
def _topk(input, k, dim=-1, largest=True, sorted=True, out=None):
    x = to_spec(input)
    kk = S._int(k, "k")
    if not x.shape:
        if kk not in (0, 1):
            raise ShapeError("selected index k out of range", expected="k ≤ 1")
        return ValuesIndices(Spec((), x.dtype), Spec((), "int64"))
    ax = S.norm_axis(dim, len(x.shape), "torch")
    size = x.shape[ax]
    if kk < 0 or (size.value is not None and kk > size.value):
        raise ShapeError("selected index k out of range", expected=f"0 ≤ k ≤ {size.value} (the size of dim {ax})")
    shape = (*x.shape[:ax], Known(kk), *x.shape[ax + 1:])
    return ValuesIndices(Spec(shape, x.dtype), Spec(shape, "int64"))


@_both("sort", "input, dim=-1, descending=False, stable=False, *, out=None", "input, dim=-1, descending=False, stable=False")
def _sort(input, dim=-1, descending=False, stable=False, out=None):
    x = to_spec(input)
    if x.shape:
        S.norm_axis(dim, len(x.shape), "torch")
    return ValuesIndices(Spec(x.shape, x.dtype), Spec(x.shape, "int64"))


@_both("argsort", "input, dim=-1, descending=False, stable=False")
def _argsort(input, dim=-1, descending=False, stable=False):
    return Spec(_sort(input, dim)[0].shape, "int64")


# --------------------------------------------------------------------------------------------------------------
# Gathering and indexing


def _index_dtype(index, what):
    if index.dtype not in ("int64", "int32"):
        raise ShapeError(f"{what}(): Expected dtype int64 for index", expected="an int64 index tensor",
                         fix="convert it: index.long()")


@_both("gather", "input, dim, index, *, sparse_grad=False, out=None", "input, dim, index")
def _gather(input, dim, index, sparse_grad=False, out=None):
    x, i = to_spec(input), to_spec(index, "index")
    if i.dtype not in ("int64", "int32"):
        raise ShapeError("gather(): Expected dtype int32/int64 for index", expected="an int64 index tensor",
                         fix="convert it: index.long()")
    return Spec(S.gather(x.shape, dim, i.shape), x.dtype)


@_both("index_select", "input, dim, index, *, out=None", "input, dim, index")
def _index_select(input, dim, index, out=None):
    x, i = to_spec(input), to_spec(index, "index")
    _index_dtype(i, "index_select")
    if len(i.shape) > 1:
        raise ShapeError("index_select(): Index is supposed to be a vector", expected="a 1-D index")
    if not x.shape:
        return Spec(i.shape, x.dtype)
    ax = S.norm_axis(dim, len(x.shape), "torch")
    n = i.shape[0] if i.shape else S.ONE
    return Spec((*x.shape[:ax], n, *x.shape[ax + 1:]), x.dtype)


@_both("masked_select", "input, mask, *, out=None", "input, mask")
def _masked_select(input, mask, out=None):
    x, m = to_spec(input), to_spec(mask, "mask")
    if m.dtype != "bool":
        raise ShapeError("masked_select: expected BoolTensor for mask", expected="a bool mask")
    S.broadcast(x.shape, m.shape, fw="torch")
    return Spec((Unknown("None"),), x.dtype)  # how many are selected is data


def _getitem(self, key):
    x = to_spec(self)
    items = list(key) if isinstance(key, tuple) else [key]
    converted = []
    for k in items:
        if isinstance(k, Spec):
            if k.dtype not in ("int64", "int32", "bool", "uint8", "int16", "int8"):
                raise ShapeError("tensors used as indices must be long, int, byte or bool tensors",
                                 expected="an integer or bool index tensor")
            converted.append(S.TensorIndex(k.shape, "bool" if k.dtype in ("bool", "uint8") else k.dtype))
        elif isinstance(k, list):
            shape, kinds = nested_shape(k, "index")
            converted.append(S.TensorIndex(shape, "bool" if kinds == {"bool"} else "int64"))
        elif k is None or k is Ellipsis or isinstance(k, (int, slice, Dim)):
            if isinstance(k, bool):  # x[True] adds an axis of size 1, x[False] one of size 0
                converted.append(None if k else S.TensorIndex((), "bool"))
            else:
                converted.append(k)
        else:
            raise ArgumentError(f"only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                                f"are valid indices (got {_type_name(k)})", expected="an index")
    if isinstance(key, tuple):
        converted = tuple(converted)
    else:
        converted = converted[0]
    return Spec(S.getitem(x.shape, converted, fw="torch"), x.dtype)


TORCH_OPERATORS.op("__getitem__", "self, key")(_getitem)


# --------------------------------------------------------------------------------------------------------------
# Creation


def _creation(default_dtype, random=False):
    def rule(size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
             memory_format=None, generator=None, names=None):
        return Spec(_size_args(size), _random_dtype(_opt_dtype(dtype) or default_dtype, random))
    return rule


def _random_dtype(dtype, random):
    """rand/randn draw floats: torch refuses an integer dtype for them."""
    if random and not (is_float(dtype) or is_complex(dtype)):
        raise ShapeError(f"expected a floating-point or complex dtype, but got dtype=torch.{dtype}",
                         expected="a float dtype", fix="use torch.randint for integers")
    return dtype


_CREATION_KW = ("*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, "
                "memory_format=None, generator=None, names=None")
for _name in ("zeros", "ones", "empty", "rand", "randn"):
    TORCH_FUNCTIONS.op(_name, _CREATION_KW)(_creation(DEFAULT_FLOAT, random=_name.startswith("rand")))


@TORCH_FUNCTIONS.op("full", "size, fill_value, *, out=None, dtype=None, layout=None, device=None, "
                            "requires_grad=False, pin_memory=False")
def _full(size, fill_value, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(fill_value, bool):
        default = "bool"
    elif isinstance(fill_value, (int, Dim)):
        default = "int64"
    elif isinstance(fill_value, float):
        default = DEFAULT_FLOAT
    elif isinstance(fill_value, Spec) and not fill_value.shape:
        default = fill_value.dtype
    else:
        raise ArgumentError(f"full(): argument 'fill_value' must be Number, not {_type_name(fill_value)}")
    return Spec(_size_args((size,)), _opt_dtype(dtype) or default)


@TORCH_FUNCTIONS.op("randint", "*args, generator=None, out=None, dtype=None, layout=None, device=None, "
                               "requires_grad=False, pin_memory=False")
def _randint(args, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False, size=None):
    """randint(high, size) or randint(low, high, size)."""
    if len(args) == 2:
        low, high, size = 0, args[0], args[1]
    elif len(args) == 3:
        low, high, size = args
    else:
        raise ArgumentError("randint() received an invalid combination of arguments: expected (high, size) or "
                            "(low, high, size)", expected="randint(low, high, (sizes...))")
    lo, hi = S._int(low, "low") if not isinstance(low, Dim) or low.value is not None else 0, \
        S._int(high, "high") if not isinstance(high, Dim) or high.value is not None else None
    if hi is not None and lo >= hi:
        raise ShapeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}",
                         expected="low < high")
    if not isinstance(size, (tuple, list)):
        raise ArgumentError(f"randint(): argument 'size' must be tuple of ints, but found element of type "
                            f"{_type_name(size)}", expected="a tuple of sizes")
    return Spec(_size_args((size,)), _opt_dtype(dtype) or "int64")


def _like(random=False):
    def rule(input, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        x = to_spec(input)
        return Spec(x.shape, _random_dtype(_opt_dtype(dtype) or x.dtype, random))
    return rule


_LIKE_KW = "input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None"
for _name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
    TORCH_FUNCTIONS.op(_name, _LIKE_KW)(_like(random=_name.startswith("rand")))


@TORCH_FUNCTIONS.op("full_like", "input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, "
                                 "memory_format=None")
def _full_like(input, fill_value, dtype=None, **_):
    x = to_spec(input)
    return Spec(x.shape, _opt_dtype(dtype) or x.dtype)


@TORCH_FUNCTIONS.op("randint_like", "input, low=0, high=None, *, dtype=None, layout=None, device=None, "
                                    "requires_grad=False, memory_format=None")
def _randint_like(input, low=0, high=None, dtype=None, **_):
    x = to_spec(input)
    return Spec(x.shape, _opt_dtype(dtype) or x.dtype)


for _name, _shape in (("new_zeros", True), ("new_ones", True), ("new_empty", True)):
    TENSOR_METHODS.op(_name, "self, *size, dtype=None, device=None, requires_grad=False, layout=None, "
                             "pin_memory=False")(
        lambda self, size, dtype=None, **_: Spec(_size_args(size), _opt_dtype(dtype) or to_spec(self).dtype))
TENSOR_METHODS.op("new_full", "self, size, fill_value, *, dtype=None, device=None, requires_grad=False, "
                              "layout=None, pin_memory=False")(
    lambda self, size, fill_value, dtype=None, **_: Spec(_size_args((size,)), _opt_dtype(dtype) or to_spec(self).dtype))


@TORCH_FUNCTIONS.op("arange", "*args, out=None, dtype=None, layout=None, device=None, requires_grad=False")
def _arange(args, out=None, dtype=None, layout=None, device=None, requires_grad=False, start=None, end=None,
            step=None):
    if not 1 <= len(args) <= 3:
        raise ArgumentError("arange() received an invalid combination of arguments", expected="arange(end), "
                            "arange(start, end) or arange(start, end, step)")
    values = []
    for v in args:
        if isinstance(v, Dim):
            if v.value is None:
                return Spec((Unknown("None"),), _opt_dtype(dtype) or "int64")
            v = v.value
        if isinstance(v, Spec) and not v.shape:
            return Spec((Unknown("None"),), _opt_dtype(dtype) or v.dtype)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ArgumentError(f"arange(): argument 'end' must be Number, not {_type_name(v)}")
        if isinstance(v, float) and not math.isfinite(v):
            raise ShapeError("unsupported range: arange needs finite bounds", expected="finite numbers")
        values.append(v)
    lo, hi, st = (0, values[0], 1) if len(values) == 1 else (values[0], values[1], values[2] if len(values) == 3
                                                             else 1)
    if st == 0:
        raise ShapeError("step must be nonzero", expected="a non-zero step")
    if (hi - lo) * st < 0:
        raise ShapeError("upper bound and larger bound inconsistent with step sign",
                         expected="start < end for a positive step")
    n = math.ceil((hi - lo) / st)
    if n > 2 ** 40:
        raise ShapeError(f"arange of {n} elements is too large", expected="a smaller range")
    default = DEFAULT_FLOAT if any(isinstance(v, float) for v in values) else "int64"
    return Spec((Known(n),), _opt_dtype(dtype) or default)


@TORCH_FUNCTIONS.op("linspace", "start, end, steps, *, out=None, dtype=None, layout=None, device=None, "
                                "requires_grad=False")
def _linspace(start, end, steps, dtype=None, **_):
    n = S._int(steps, "steps")
    if n < 0:
        raise ShapeError("number of steps must be non-negative", expected="steps ≥ 0")
    return Spec((Known(n),), _opt_dtype(dtype) or DEFAULT_FLOAT)


@TORCH_FUNCTIONS.op("eye", "n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False")
def _eye(n, m=None, dtype=None, **_):
    rows = S.dim(n, "n")
    return Spec((rows, rows if m is None else S.dim(m, "m")), _opt_dtype(dtype) or DEFAULT_FLOAT)


@TORCH_FUNCTIONS.op(("tensor", "as_tensor"), "data, *, dtype=None, device=None, requires_grad=False, pin_memory=False")
def _tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Spec):
        return Spec(data.shape, _opt_dtype(dtype) or data.dtype)
    if isinstance(data, bool):
        shape, kinds = (), {"bool"}
    elif isinstance(data, (int, Dim)):
        shape, kinds = (), {"int"}
    elif isinstance(data, float):
        shape, kinds = (), {"float"}
    else:
        shape, kinds = nested_shape(data, "tensor()")
    if "float" in kinds or any(k.startswith("float") for k in kinds):
        default = DEFAULT_FLOAT
    elif "int" in kinds or any(k.startswith("int") for k in kinds):
        default = "int64"
    elif kinds == {"bool"}:
        default = "bool"
    else:
        default = DEFAULT_FLOAT
    return Spec(shape, _opt_dtype(dtype) or default)


# --------------------------------------------------------------------------------------------------------------
# torch.nn.functional: activations


_F_ACTIVATIONS = {
    "relu": "input, inplace=False", "relu6": "input, inplace=False", "elu": "input, alpha=1.0, inplace=False",
    "selu": "input, inplace=False", "celu": "input, alpha=1.0, inplace=False",
    "leaky_relu": "input, negative_slope=0.01, inplace=False", "gelu": "input, approximate='none'",
    "silu": "input, inplace=False", "mish": "input, inplace=False", "hardswish": "input, inplace=False",
    "hardsigmoid": "input, inplace=False", "hardtanh": "input, min_val=-1.0, max_val=1.0, inplace=False",
    "sigmoid": "input", "tanh": "input", "softplus": "input, beta=1.0, threshold=20.0", "softsign": "input",
    "logsigmoid": "input", "tanhshrink": "input", "softshrink": "input, lambd=0.5", "hardshrink": "input, lambd=0.5",
    "rrelu": "input, lower=0.125, upper=0.3333333333333333, training=False, inplace=False",
    "threshold": "input, threshold, value, inplace=False",
}
_INT_OK = {"relu": _int_not_bool("relu"), "relu6": _int_not_bool("hardtanh", unsigned_ok=False),
           "hardtanh": _int_not_bool("hardtanh", unsigned_ok=False), "threshold": _same}
for _name, _sig in _F_ACTIVATIONS.items():
    FUNCTIONAL.op(_name, _sig)(_unary(_INT_OK.get(_name) or _float_or_fail(_name)))
for _name in ("relu_", "elu_", "leaky_relu_", "hardtanh_", "threshold_", "rrelu_", "celu_", "selu_"):
    FUNCTIONAL.op(_name, "input, *args, **kwargs")(lambda input, args, kwargs: to_spec(input))


@FUNCTIONAL.op("glu", "input, dim=-1")
def _glu(input, dim=-1):
    x = to_spec(input)
    if not x.shape:
        raise ShapeError("glu does not support scalars because halving size must be even", expected="a tensor")
    ax = S.norm_axis(dim, len(x.shape), "torch")
    d = x.shape[ax]
    if d.value is not None and d.value % 2:
        raise ShapeError(f"Halving dimension must be even, but dimension {ax} is size {d.value}",
                         expected="an even size")
    half = d.exactdiv(Known(2)) if d.value is not None else Unknown("None")
    return Spec((*x.shape[:ax], half, *x.shape[ax + 1:]), x.dtype)


@FUNCTIONAL.op("prelu", "input, weight")
def _prelu(input, weight):
    x, w = to_spec(input), to_spec(weight, "weight")
    n = S.size_of(w.shape).value
    channels = x.shape[1] if len(x.shape) >= 2 else S.ONE
    if n is not None and n != 1 and channels.value is not None and n != channels.value:
        raise ShapeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = {n} and "
                         f"channel size = {channels.value}.", expected=f"{channels.value} or 1 parameters")
    return Spec(x.shape, x.dtype)


@FUNCTIONAL.op("normalize", "input, p=2.0, dim=1, eps=1e-12, out=None")
def _normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    x = to_spec(input)
    S.norm_axis(dim, max(len(x.shape), 1), "torch")
    return Spec(x.shape, x.dtype)


for _name in ("dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"):
    _default_training = "True" if _name.startswith("dropout") else "False"
    FUNCTIONAL.op(_name, f"input, p=0.5, training={_default_training}, inplace=False")(
        lambda input, p=0.5, training=True, inplace=False: _dropout(input, p))


def _dropout(input, p):
    x = to_spec(input)
    if isinstance(p, (int, float)) and not isinstance(p, bool) and not 0 <= p <= 1:
        raise ArgumentError(f"dropout probability has to be between 0 and 1, but got {p}", expected="0 ≤ p ≤ 1")
    return Spec(x.shape, x.dtype)


# --------------------------------------------------------------------------------------------------------------
# torch.nn.functional: layers


@FUNCTIONAL.op("linear", "input, weight, bias=None")
def _linear(input, weight, bias=None):
    x, w = to_spec(input), to_spec(weight, "weight")
    if len(w.shape) not in (1, 2):
        raise ShapeError(f"t() expects a tensor with <= 2 dimensions, but self is {len(w.shape)}D",
                         expected="a (out_features, in_features) weight")
    if not x.shape:
        raise ShapeError("both arguments to linear need to be at least 1D, but they are 0D and "
                         f"{len(w.shape)}D", expected="an input with a feature dim")
    wt = tuple(reversed(w.shape))
    shape = S.matmul(x.shape, wt, fw="torch")
    if bias is not None:
        b = to_spec(bias, "bias")
        S.broadcast_to(b.shape, shape, fw="torch")
    _same_dtype(x, w, "expected m1 and m2 to have the same dtype")
    return Spec(shape, x.dtype)


@FUNCTIONAL.op("bilinear", "input1, input2, weight, bias=None")
def _bilinear(input1, input2, weight, bias=None):
    a, b, w = to_spec(input1, "input1"), to_spec(input2, "input2"), to_spec(weight, "weight")
    if len(w.shape) != 3:
        raise ShapeError(f"bilinear(): weight must be 3-dimensional, got {len(w.shape)}-D", expected="3 dims")
    if S._differ(a.shape[-1], w.shape[1]) or S._differ(b.shape[-1], w.shape[2]):
        raise ShapeError(f"bilinear(): input sizes {a.shape[-1].value} and {b.shape[-1].value} do not match weight "
                         f"{S.fmt(w.shape, 'torch')}", expected="input1 features = weight.size(1), input2 = size(2)")
    return Spec((*a.shape[:-1], w.shape[0]), a.dtype)


def _ntuple(value, n, what):
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = tuple(value) * n
        if len(value) != n:
            raise ShapeError(f"expected {what} to be a single integer value or a list of {n} values to match the "
                             f"convolution dimensions, but got {what}={list(value)}", expected=f"{n} values")
        return tuple(S._int(v, what) for v in value)
    return (S._int(value, what),) * n


def _conv_input(x, n, name):
    if len(x.shape) not in (n + 1, n + 2):
        raise ShapeError(f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {name}, but got input of "
                         f"size: {S.fmt(x.shape, 'torch')}", expected=f"(N, C, {', '.join('LHW'[-n:] if n < 3 else 'DHW')})",
                         fix="add the batch dim with x.unsqueeze(0)" if len(x.shape) == n else
                         "reshape the input to (batch, channels, ...)")
    batched = len(x.shape) == n + 2
    return batched, ((x.shape[0],) if batched else ()), x.shape[-n - 1], x.shape[-n:]


def _conv(n, transposed=False):
    name = f"conv_transpose{n}d" if transposed else f"conv{n}d"

    def rule(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, output_padding=0):
        x, w = to_spec(input), to_spec(weight, "weight")
        batched, lead, channels, spatial = _conv_input(x, n, name)
        if len(w.shape) != n + 2:
            raise ShapeError("weight should have at least three dimensions" if len(w.shape) < 3 else
                             f"Expected {n + 2}-dimensional weight for {n + 2}-dimensional input "
                             f"{S.fmt(x.shape, 'torch')}, but got {len(w.shape)}-dimensional weight of size "
                             f"{S.fmt(w.shape, 'torch')} instead", expected=f"a {n + 2}-D weight")
        g = S._int(groups, "groups")
        if g <= 0:
            raise ShapeError("non-positive groups is not supported", expected="groups > 0")
        st = _ntuple(stride, n, "stride")
        dil = _ntuple(dilation, n, "dilation")
        if min(st) <= 0:
            raise ShapeError("non-positive stride is not supported", expected="stride > 0")
        if min(dil) <= 0:
            raise ShapeError("dilation should be greater than zero", expected="dilation > 0")
        kernel = w.shape[2:]
        in_per_group = w.shape[1]
        shape_text = S.fmt(w.shape, "torch")
        full_input = S.fmt(x.shape if batched else (S.ONE, *x.shape), "torch")
        if transposed:
            if channels.value is not None and w.shape[0].value is not None and channels.value != w.shape[0].value:
                raise ShapeError(f"Given transposed=1, weight of size {shape_text}, expected input{full_input} to "
                                 f"have {w.shape[0].value} channels, but got {channels.value} channels instead",
                                 expected=f"{w.shape[0].value} input channels")
            out_channels = w.shape[1] * g
            pad = _ntuple(padding, n, "padding")
            out_pad = _ntuple(output_padding, n, "output_padding")
            for op_, s_, d_ in zip(out_pad, st, dil):
                if op_ >= s_ and op_ >= d_:
                    raise ShapeError("output padding must be smaller than either stride or dilation, but got "
                                     f"output_padding={list(out_pad)}, stride={list(st)}, dilation={list(dil)}",
                                     expected="output_padding < stride or dilation")
            out = tuple(S.conv_transpose_size(L, k, s_, d_, p_, o_)
                        for L, k, s_, d_, p_, o_ in zip(spatial, kernel, st, dil, pad, out_pad))
        else:
            if w.shape[0].value is not None and w.shape[0].value % g:
                raise ShapeError(f"Given groups={g}, expected weight to be divisible by {g} at dimension 0, but got "
                                 f"weight of size {shape_text} instead", expected=f"out_channels divisible by {g}")
            need = in_per_group * g
            if S._differ(channels, need):
                raise ShapeError(
                    f"Given groups={g}, weight of size {shape_text}, expected input{full_input} to have "
                    f"{need.value} channels, but got {channels.value} channels instead",
                    expected=f"{need.value} input channels",
                    fix=f"the input has {channels.value} channels: make the layer take in_channels={channels.value}"
                        f" (or convert the input, e.g. grayscale → RGB)")
            out_channels = w.shape[0]
            if isinstance(padding, str):
                mode = padding.lower() if padding in ("same", "valid") else None
                if mode is None:
                    raise ArgumentError(f"Invalid padding string '{padding}'", expected="'same' or 'valid'")
                if mode == "same" and max(st) > 1:
                    raise ShapeError("padding='same' is not supported for strided convolutions",
                                     expected="stride=1 with padding='same'", fix="give padding as a number")
                if mode == "same":
                    out = tuple(spatial)
                else:
                    out = tuple(S.window_out(L, k, s_, d_, 0) for L, k, s_, d_ in zip(spatial, kernel, st, dil))
            else:
                pad = _ntuple(padding, n, "padding")
                if min(pad) < 0:
                    raise ShapeError("negative padding is not supported", expected="padding ≥ 0")
                padded = [L + 2 * p_ for L, p_ in zip(spatial, pad)]
                eff = [(d_ * (k - 1) + 1) for k, d_ in zip(kernel, dil)]
                if any(P.value is not None and e.value is not None and P.value < e.value
                       for P, e in zip(padded, eff)):
                    raise ShapeError(
                        f"Calculated padded input size per channel: ({' x '.join(_vt(P) for P in padded)}). Kernel "
                        f"size: ({' x '.join(_vt(e) for e in eff)}). Kernel size can't be greater than actual input "
                        "size", expected="an input at least as large as the (dilated) kernel",
                        fix="pad the input, use a smaller kernel, or remove a downsampling step before this one")
                out = tuple(S.window_out(L, k, s_, d_, 2 * p_) for L, k, s_, d_, p_ in
                            zip(spatial, kernel, st, dil, pad))
        if bias is not None:
            b = to_spec(bias, "bias")
            if len(b.shape) != 1 or S._differ(b.shape[0], out_channels):
                raise ShapeError(f"Given weight of size {shape_text}, expected bias to be 1-dimensional with "
                                 f"{_vt(out_channels)} elements, but got bias of size {S.fmt(b.shape, 'torch')} "
                                 "instead", expected=f"a bias of {_vt(out_channels)}")
        if x.dtype != w.dtype:
            raise ShapeError(f"Input type ({_TENSOR_TYPE.get(x.dtype, x.dtype)}) and weight type "
                             f"({_TENSOR_TYPE.get(w.dtype, w.dtype)}) should be the same",
                             expected="input and weight of one dtype", fix="convert the input: x.float()")
        return Spec((*lead, out_channels, *out), x.dtype)
    return rule


def _vt(d):
    return "None" if d.value is None else str(d.value)


for _n in (1, 2, 3):
    FUNCTIONAL.op(f"conv{_n}d", "input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1")(_conv(_n))
    FUNCTIONAL.op(f"conv_transpose{_n}d",
                  "input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1")(
        _conv(_n, transposed=True))


def _pool(n, kind):
    name = f"{kind}_pool{n}d"

    def rule(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False,
             count_include_pad=True, divisor_override=None):
        x = to_spec(input)
        if len(x.shape) not in (n + 1, n + 2):
            raise ShapeError(f"{name}: Expected {n + 1}D or {n + 2}D (batch mode) tensor with optional 0 dim batch "
                             f"size for input, but got: {S.fmt(x.shape, 'torch')}" if kind == "max" else
                             f"{name}: Expected {n + 1}D or {n + 2}D input, got {S.fmt(x.shape, 'torch')}",
                             expected=f"(N, C, {'spatial, ' * n}…)".replace(", …", ""))
        k = _ntuple(kernel_size, n, "kernel_size")
        st = k if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _ntuple(stride, n, "stride")
        pad = _ntuple(padding, n, "padding")
        dil = _ntuple(dilation, n, "dilation") if kind == "max" else (1,) * n
        if min(k) <= 0:
            raise ShapeError(f"kernel_size must be greater than zero, but got {list(k)}", expected="kernel_size > 0")
        if min(st) <= 0:
            raise ShapeError("stride should not be zero", expected="stride > 0")
        for p_, k_, d_ in zip(pad, k, dil):
            if p_ < 0 or p_ > (d_ * (k_ - 1) + 1) // 2:
                raise ShapeError(f"pad should be at most half of effective kernel size, but got pad={p_}, "
                                 f"kernel_size={k_} and dilation={d_}" if kind == "max" else
                                 f"pad should be smaller than or equal to half of kernel size, but got padW = {p_}, "
                                 f"padH = {p_}, kW = {k_}, kH = {k_}", expected="padding ≤ kernel_size / 2")
        spatial = x.shape[-n:]
        out = tuple(S.window_out(L, k_, s_, d_, 2 * p_, ceil_mode=bool(ceil_mode))
                    for L, k_, s_, d_, p_ in zip(spatial, k, st, dil, pad))
        if any(o.value is not None and o.value <= 0 for o in out):
            lead = x.shape[:-n]
            channels = lead[-1].value if lead else 1
            raise ShapeError(f"Given input size: ({channels}x{'x'.join(_vt(L) for L in spatial)}). Calculated output "
                             f"size: ({channels}x{'x'.join(_vt(o) for o in out)}). Output size is too small",
                             expected=f"each spatial size at least the pooling window {list(k)}",
                             fix="use a smaller kernel/stride, pad the input, or remove a downsampling step")
        result = Spec((*x.shape[:-n], *out), x.dtype)
        if return_indices:
            return (result, Spec(result.shape, "int64"))
        return result
    return rule


for _n in (1, 2, 3):
    FUNCTIONAL.op(f"max_pool{_n}d", "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, "
                                    "return_indices=False")(_pool(_n, "max"))
    FUNCTIONAL.op(f"max_pool{_n}d_with_indices",
                  "input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False")(
        lambda *a, _r=_pool(_n, "max"), **k: _r(*a, **{**k, "return_indices": True}))
    FUNCTIONAL.op(f"avg_pool{_n}d", "input, kernel_size, stride=None, padding=0, ceil_mode=False, "
                                    "count_include_pad=True" + (", divisor_override=None" if _n > 1 else ""))(
        _pool(_n, "avg"))


def _adaptive(n, kind):
    def rule(input, output_size, return_indices=False):
        x = to_spec(input)
        if len(x.shape) not in (n + 1, n + 2) and not (kind == "avg" and len(x.shape) == n):
            raise ShapeError(f"adaptive_{kind}_pool{n}d(): Expected {n + 1}D or {n + 2}D tensor, but got "
                             f"{S.fmt(x.shape, 'torch')}", expected=f"{n + 1} or {n + 2} dims")
        sizes = list(output_size) if isinstance(output_size, (tuple, list)) else [output_size] * n
        if len(sizes) != n:
            raise ShapeError(f"adaptive_{kind}_pool{n}d: output_size must be {n}", expected=f"{n} sizes")
        spatial = x.shape[-n:]
        out = tuple(L if s is None else S.dim(s, "output_size") for L, s in zip(spatial, sizes))
        result = Spec((*x.shape[:-n], *out), x.dtype)
        if return_indices:
            return (result, Spec(result.shape, "int64"))
        return result
    return rule


for _n in (1, 2, 3):
    FUNCTIONAL.op(f"adaptive_avg_pool{_n}d", "input, output_size")(_adaptive(_n, "avg"))
    FUNCTIONAL.op(f"adaptive_max_pool{_n}d", "input, output_size, return_indices=False")(_adaptive(_n, "max"))


@FUNCTIONAL.op("upsample", "input, size=None, scale_factor=None, mode='nearest', align_corners=None")
def _upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return _interpolate(input, size, scale_factor, mode, align_corners)


@FUNCTIONAL.op("interpolate", "input, size=None, scale_factor=None, mode='nearest', align_corners=None, "
                              "recompute_scale_factor=None, antialias=False")
def _interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                 recompute_scale_factor=None, antialias=False):
    x = to_spec(input)
    n = len(x.shape) - 2
    if n < 1:
        raise ShapeError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {len(x.shape)}D) for the "
                         f"modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact (got "
                         f"{mode})", expected="(N, C, spatial...)")
    spatial = x.shape[2:]
    if (size is None) == (scale_factor is None):
        raise ArgumentError("only one of size or scale_factor should be defined" if size is not None else
                            "either size or scale_factor should be defined", expected="size= or scale_factor=")
    if size is not None:
        sizes = list(size) if isinstance(size, (tuple, list)) else [size] * n
        if len(sizes) != n:
            raise ShapeError(f"Input and output must have the same number of spatial dimensions, but got input with "
                             f"spatial dimensions of {[d.value for d in spatial]} and output size of {tuple(sizes)}. "
                             "Please provide input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, "
                             "o2, ...,oK) format.", expected=f"{n} sizes")
        out = tuple(S.dim(s, "size") for s in sizes)
    else:
        scales = list(scale_factor) if isinstance(scale_factor, (tuple, list)) else [scale_factor] * n
        if len(scales) != n:
            raise ShapeError(f"Input and scale_factor must have the same number of spatial dimensions, but got input "
                             f"with spatial dimensions of {[d.value for d in spatial]} and scale_factor of shape "
                             f"{scales}.", expected=f"{n} scale factors")
        out = []
        for L, sc in zip(spatial, scales):
            if isinstance(sc, bool) or not isinstance(sc, (int, float)):
                raise ArgumentError(f"scale_factor must be a number, got {_type_name(sc)}")
            if not math.isfinite(sc) or sc <= 0:
                raise ShapeError(f"Input and output sizes should be greater than 0, but got scale_factor={sc}",
                                 expected="a positive scale factor")
            if isinstance(sc, int) or float(sc).is_integer():
                out.append(L * int(sc))
            else:
                out.append(Known(math.floor(L.value * float(sc))) if L.value is not None else Unknown("None"))
        out = tuple(out)
    for o in out:
        if o.value is not None and o.value <= 0:
            raise ShapeError(f"Input and output sizes should be greater than 0, but got input "
                             f"({', '.join(_vt(d) for d in spatial)}) output ({', '.join(_vt(d) for d in out)})",
                             expected="output sizes > 0")
    return Spec((*x.shape[:2], *out), x.dtype)


@FUNCTIONAL.op("pad", "input, pad, mode='constant', value=None")
def _pad(input, pad, mode="constant", value=None):
    """F.pad: ``pad`` pairs from the LAST dim backwards: (left, right, top, bottom, ...)."""
    x = to_spec(input)
    if not isinstance(pad, (tuple, list)):
        raise ArgumentError(f"pad(): argument 'pad' must be tuple of ints, not {_type_name(pad)}")
    amounts = [S._int(p, "pad") for p in pad]
    if len(amounts) % 2:
        raise ShapeError("Padding length must be divisible by 2", expected="(before, after) pairs")
    if len(amounts) // 2 > len(x.shape):
        raise ShapeError("Padding length should be less than or equal to two times the input dimension but got "
                         f"padding length {len(amounts)} and input of dimension {len(x.shape)}",
                         expected=f"at most {2 * len(x.shape)} values")
    widths = [(0, 0)] * len(x.shape)
    for i in range(len(amounts) // 2):
        widths[len(x.shape) - 1 - i] = (amounts[2 * i], amounts[2 * i + 1])
    return Spec(S.pad(x.shape, widths, fw="torch"), x.dtype)


@FUNCTIONAL.op("layer_norm", "input, normalized_shape, weight=None, bias=None, eps=1e-05")
def _layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05):
    x = to_spec(input)
    norm = S.dims(normalized_shape, "normalized_shape")
    tail = x.shape[len(x.shape) - len(norm):] if len(norm) <= len(x.shape) else None
    if tail is None or any(S._differ(a, b) for a, b in zip(tail, norm)):
        raise ShapeError(f"Given normalized_shape={S.fmt(norm, 'torch')}, expected input with shape "
                         f"[*, {', '.join(_vt(d) for d in norm)}], but got input of size{S.fmt(x.shape, 'torch')}",
                         expected=f"an input ending in {S.fmt(norm, 'torch')}",
                         fix="normalized_shape must equal the input's last dims (usually the feature size)")
    for w, what in ((weight, "weight"), (bias, "bias")):
        if w is not None and (len(to_spec(w, what).shape) != len(norm) or
                              any(S._differ(a, b) for a, b in zip(w.shape, norm))):
            raise ShapeError(f"Expected {what} to be of same shape as normalized_shape, but got {what} of shape "
                             f"{S.fmt(w.shape, 'torch')} and normalized_shape = {S.fmt(norm, 'torch')}",
                             expected=f"{what} of shape {S.fmt(norm, 'torch')}")
    return Spec(x.shape, x.dtype)


@FUNCTIONAL.op("rms_norm", "input, normalized_shape, weight=None, eps=None")
def _rms_norm(input, normalized_shape, weight=None, eps=None):
    return _layer_norm(input, normalized_shape, weight)


@FUNCTIONAL.op("group_norm", "input, num_groups, weight=None, bias=None, eps=1e-05")
def _group_norm(input, num_groups, weight=None, bias=None, eps=1e-05):
    x = to_spec(input)
    g = S._int(num_groups, "num_groups")
    if len(x.shape) < 2:
        raise ShapeError(f"Expected at least 2 dimensions for input tensor but received {len(x.shape)}",
                         expected="(N, C, ...)")
    c = x.shape[1]
    if g <= 0 or (c.value is not None and c.value % g):
        raise ShapeError(f"Expected number of channels in input to be divisible by num_groups, but got input of shape "
                         f"{S.fmt(x.shape, 'torch')} and num_groups={g}", expected=f"channels divisible by {g}")
    return Spec(x.shape, x.dtype)


@FUNCTIONAL.op("batch_norm", "input, running_mean, running_var, weight=None, bias=None, training=False, "
                             "momentum=0.1, eps=1e-05")
def _batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-05):
    x = to_spec(input)
    if len(x.shape) < 2:
        raise ShapeError(f"batch_norm expects at least 2 dims (N, C, ...), got {S.fmt(x.shape, 'torch')}",
                         expected="(N, C, ...)")
    c = x.shape[1]
    for v, what in ((running_mean, "running_mean"), (running_var, "running_var"), (weight, "weight"),
                    (bias, "bias")):
        if v is not None:
            s = to_spec(v, what)
            if S._differ(S.size_of(s.shape), c):
                raise ShapeError(f"{what} should contain {_vt(c)} elements not {_vt(S.size_of(s.shape))}",
                                 expected=f"{_vt(c)} elements (the channels)")
    return Spec(x.shape, x.dtype)


@FUNCTIONAL.op("instance_norm", "input, running_mean=None, running_var=None, weight=None, bias=None, "
                                "use_input_stats=True, momentum=0.1, eps=1e-05")
def _instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, **_):
    return _batch_norm(input, running_mean, running_var, weight, bias)


@FUNCTIONAL.op("embedding", "input, weight, padding_idx=None, max_norm=None, norm_type=2.0, "
                            "scale_grad_by_freq=False, sparse=False")
def _embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
               sparse=False):
    x, w = to_spec(input), to_spec(weight, "weight")
    if x.dtype not in ("int64", "int32"):
        raise ShapeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                         f"Long, Int; but got {_TENSOR_TYPE.get(x.dtype, x.dtype)} instead (while checking arguments "
                         "for embedding)", expected="integer token ids", fix="convert the ids: x.long()")
    if len(w.shape) != 2:
        raise ShapeError("'weight' must be 2-D", expected="a (num_embeddings, embedding_dim) weight")
    return Spec((*x.shape, w.shape[1]), w.dtype)


@FUNCTIONAL.op("one_hot", "tensor, num_classes=-1")
def _one_hot(tensor, num_classes=-1):
    x = to_spec(tensor, "tensor")
    if x.dtype != "int64":
        raise ShapeError("one_hot is only applicable to index tensor of type LongTensor.",
                         expected="an int64 tensor", fix="convert it: x.long()")
    n = S._int(num_classes, "num_classes") if not isinstance(num_classes, Dim) else num_classes
    classes = Unknown("num_classes") if isinstance(n, int) and n == -1 else S.dim(n, "num_classes")
    return Spec((*x.shape, classes), "int64")


@FUNCTIONAL.op("scaled_dot_product_attention", "query, key, value, attn_mask=None, dropout_p=0.0, "
                                               "is_causal=False, scale=None, enable_gqa=False")
def _sdpa(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False):
    q, k, v = to_spec(query, "query"), to_spec(key, "key"), to_spec(value, "value")
    if len(q.shape) < 2 or len(k.shape) < 2 or len(v.shape) < 2:
        raise ShapeError("scaled_dot_product_attention needs (..., L, E) tensors", expected="at least 2 dims")
    if S._differ(q.shape[-1], k.shape[-1]):
        raise ShapeError(f"Expected query and key to have the same last dim (the embedding size), but got "
                         f"{q.shape[-1].value} and {k.shape[-1].value}", expected="equal E for query and key")
    if S._differ(k.shape[-2], v.shape[-2]):
        raise ShapeError(f"Expected key and value to have the same sequence length, but got {k.shape[-2].value} "
                         f"and {v.shape[-2].value}", expected="equal S for key and value")
    batch = S.broadcast(q.shape[:-2], k.shape[:-2], v.shape[:-2], fw="torch")
    if attn_mask is not None:
        m = to_spec(attn_mask, "attn_mask")
        S.broadcast(m.shape, (*batch, q.shape[-2], k.shape[-2]), fw="torch")
    return Spec((*batch, q.shape[-2], v.shape[-1]), q.dtype)


def _loss(input, target, reduction):
    x, t = to_spec(input), to_spec(target, "target")
    if reduction not in ("mean", "sum", "none"):
        raise ArgumentError(f"{reduction} is not a valid value for reduction", expected="'mean', 'sum' or 'none'")
    return x, t


@FUNCTIONAL.op("cross_entropy", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "
                                "reduction='mean', label_smoothing=0.0")
def _cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                   reduction="mean", label_smoothing=0.0):
    x, t = _loss(input, target, reduction)
    if not x.shape:
        raise ShapeError("cross_entropy expects input of shape (C,) or (N, C, ...)", expected="class scores")
    if t.dtype in ("int64",):  # class indices: target is input without the class dim
        want = x.shape[1:] if len(x.shape) == 1 else (x.shape[0], *x.shape[2:])
        if len(x.shape) == 1:
            want = ()
        fix = _target_fix(x, t, want)
        if len(t.shape) != len(want):
            raise ShapeError(f"Expected target size {S.fmt(want, 'torch')}, got {S.fmt(t.shape, 'torch')}"
                             if len(x.shape) > 2 else
                             f"Expected input batch_size ({_vt(x.shape[0])}) to match target batch_size "
                             f"({_vt(t.shape[0]) if t.shape else 1}).", expected=S.fmt(want, "torch"), fix=fix)
        if t.shape and S._differ(t.shape[0], x.shape[0]) and len(x.shape) >= 2:
            raise ShapeError(f"Expected input batch_size ({_vt(x.shape[0])}) to match target batch_size "
                             f"({_vt(t.shape[0])}).", expected=f"{_vt(x.shape[0])} targets", fix=fix)
        if any(S._differ(a, b) for a, b in zip(t.shape, want)):
            raise ShapeError(f"Expected target size {S.fmt(want, 'torch')}, got {S.fmt(t.shape, 'torch')}",
                             expected=S.fmt(want, "torch"), fix=fix)
        out = want
    elif is_float(t.dtype):  # class probabilities: same shape as input
        if len(t.shape) != len(x.shape) or any(S._differ(a, b) for a, b in zip(t.shape, x.shape)):
            raise ShapeError(f"Expected target size {S.fmt(x.shape, 'torch')}, got {S.fmt(t.shape, 'torch')}" if
                             len(t.shape) == len(x.shape) else
                             f"Expected floating point type for target with class probabilities, got "
                             f"{_long_name(t.dtype)}", expected=S.fmt(x.shape, "torch"))
        out = (x.shape[0], *x.shape[2:]) if len(x.shape) > 1 else ()
    else:
        raise ShapeError(f"expected scalar type Long but found {_long_name(t.dtype)}", expected="int64 class ids",
                         fix="convert the target: target.long()")
    return Spec(out if reduction == "none" else (), x.dtype)


def _target_fix(x, t, want):
    """What to change when class-index targets do not fit the scores (N, C, ...)."""
    if len(x.shape) >= 3 and len(t.shape) == len(x.shape) - 1 and \
            not any(S._differ(a, b) for a, b in zip(t.shape, x.shape[:-1])):
        classes = _vt(x.shape[-1])
        return (f"cross_entropy reads dim 1 as the classes, but these scores have the classes last: flatten them, "
                f"F.cross_entropy(logits.view(-1, {classes}), targets.view(-1)), or move the class axis: "
                f"logits.permute(0, 2, 1)")
    if len(x.shape) >= 2 and t.shape and S._differ(t.shape[0], x.shape[0]):
        return (f"the model gives {_vt(x.shape[0])} rows of scores for {_vt(t.shape[0])} targets: a view/reshape "
                f"before the classifier mixed the batch with the features (flatten with x.view(x.size(0), -1) or "
                f"torch.flatten(x, 1), and size the next layer to what that gives)")
    return f"give the target the scores' shape without the class dim (dim 1): {S.fmt(want, 'torch')}"


def _binary_target_check(name, x, t):
    """binary_cross_entropy(_with_logits) take a target of exactly the input's size (no broadcasting) and of a
    float dtype, as torch checks them."""
    size = f"torch.Size({S.fmt(t.shape, 'torch')})", f"torch.Size({S.fmt(x.shape, 'torch')})"
    if len(t.shape) != len(x.shape) or any(S._differ(a, b) for a, b in zip(t.shape, x.shape)):
        fix = ("the model gives one logit per sample in a column: squeeze it (logits.squeeze(1)) or give the labels "
               "the same shape (labels.unsqueeze(1))" if len(x.shape) == len(t.shape) + 1 and
               x.shape[-1].value == 1 else "give the target the input's shape")
        if name == "binary_cross_entropy":
            raise ShapeError(f"Using a target size ({size[0]}) that is different to the input size ({size[1]}) is "
                             f"deprecated. Please ensure they have the same size.", expected=size[1], fix=fix)
        raise ShapeError(f"Target size ({size[0]}) must be the same as input size ({size[1]})", expected=size[1],
                         fix=fix)
    if not is_float(t.dtype):
        raise ShapeError(f"Found dtype {_SCALAR.get(t.dtype, t.dtype)} but expected {_SCALAR.get(x.dtype, x.dtype)}"
                         if name == "binary_cross_entropy" else
                         f"result type {_SCALAR.get(x.dtype, x.dtype)} can't be cast to the desired output type "
                         f"{_SCALAR.get(t.dtype, t.dtype)}", expected="float targets (0.0 / 1.0)",
                         fix="convert the labels: labels.float()")


def _pointwise_loss(name):
    def rule(input, target, size_average=None, reduce=None, reduction="mean", weight=None, **_):
        x, t = _loss(input, target, reduction)
        if name.startswith("binary_cross_entropy"):
            _binary_target_check(name, x, t)
        shape = S.broadcast(x.shape, t.shape, fw="torch")
        return Spec(shape if reduction == "none" else (), torch_promote(x.dtype, t.dtype))
    return rule


for _name, _sig in (("mse_loss", "size_average=None, reduce=None, reduction='mean', weight=None"),
                    ("l1_loss", "size_average=None, reduce=None, reduction='mean', weight=None"),
                    ("smooth_l1_loss", "size_average=None, reduce=None, reduction='mean', beta=1.0"),
                    ("huber_loss", "reduction='mean', delta=1.0, weight=None")):
    FUNCTIONAL.op(_name, "input, target, " + _sig)(_pointwise_loss(_name))
FUNCTIONAL.op("binary_cross_entropy", "input, target, weight=None, size_average=None, reduce=None, "
                                      "reduction='mean'")(_pointwise_loss("binary_cross_entropy"))
FUNCTIONAL.op("binary_cross_entropy_with_logits", "input, target, weight=None, size_average=None, reduce=None, "
                                                  "reduction='mean', pos_weight=None")(
    _pointwise_loss("binary_cross_entropy_with_logits"))


@FUNCTIONAL.op("nll_loss", "input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, "
                           "reduction='mean'")
def _nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    t = to_spec(target, "target")
    if t.dtype != "int64":
        raise ShapeError(f"expected scalar type Long but found {_long_name(t.dtype)}", expected="int64 class ids")
    return _cross_entropy(input, target, reduction=reduction)


@FUNCTIONAL.op("pixel_shuffle", "input, upscale_factor")
def _pixel_shuffle(input, upscale_factor):
    x = to_spec(input)
    r = S._int(upscale_factor, "upscale_factor")
    if len(x.shape) < 3:
        raise ShapeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                         f"{len(x.shape)} dimension(s)", expected="(*, C·r², H, W)")
    c, h, w = x.shape[-3:]
    if r <= 0 or (c.value is not None and c.value % (r * r)):
        raise ShapeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                         f"upscale_factor, but input.size(-3)={_vt(c)} is not divisible by {r * r}",
                         expected=f"channels divisible by {r * r}")
    return Spec((*x.shape[:-3], c.exactdiv(Known(r * r)) if c.value is not None else Unknown("None"),
                 h * r, w * r), x.dtype)


@FUNCTIONAL.op("pixel_unshuffle", "input, downscale_factor")
def _pixel_unshuffle(input, downscale_factor):
    x = to_spec(input)
    r = S._int(downscale_factor, "downscale_factor")
    if len(x.shape) < 3:
        raise ShapeError("pixel_unshuffle expects input to have at least 3 dimensions", expected="(*, C, H, W)")
    c, h, w = x.shape[-3:]
    for d, what in ((h, "height"), (w, "width")):
        if r <= 0 or (d.value is not None and d.value % r):
            raise ShapeError(f"pixel_unshuffle expects {what} to be divisible by downscale_factor, but input.size"
                             f"({-2 if what == 'height' else -1})={_vt(d)} is not divisible by {r}",
                             expected=f"{what} divisible by {r}")
    return Spec((*x.shape[:-3], c * (r * r), h.exactdiv(Known(r)) if h.value is not None else Unknown("None"),
                 w.exactdiv(Known(r)) if w.value is not None else Unknown("None")), x.dtype)


@FUNCTIONAL.op("cosine_similarity", "x1, x2, dim=1, eps=1e-08")
def _cosine_similarity(x1, x2, dim=1, eps=1e-08):
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    shape = S.broadcast(a.shape, b.shape, fw="torch")
    return Spec(S.reduce(shape, dim, False, fw="torch"), a.dtype)


@FUNCTIONAL.op("pairwise_distance", "x1, x2, p=2.0, eps=1e-06, keepdim=False")
def _pairwise_distance(x1, x2, p=2.0, eps=1e-06, keepdim=False):
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    shape = S.broadcast(a.shape, b.shape, fw="torch")
    if not shape:
        return Spec((), a.dtype)
    return Spec(S.reduce(shape, -1, bool(keepdim), fw="torch"), a.dtype)


@FUNCTIONAL.op("unfold", "input, kernel_size, dilation=1, padding=0, stride=1")
def _unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    x = to_spec(input)
    if len(x.shape) not in (3, 4):
        raise ShapeError(f"Input Error: Only 3D or 4D input Tensors are supported (got {len(x.shape)}D)",
                         expected="(N, C, H, W)")
    k, d, p, s = (_ntuple(v, 2, what) for v, what in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                       (padding, "padding"), (stride, "stride")))
    c, (h, w) = x.shape[-3], x.shape[-2:]
    blocks = [S.window_out(L, k_, s_, d_, 2 * p_) for L, k_, s_, d_, p_ in zip((h, w), k, s, d, p)]
    if any(b.value is not None and b.value <= 0 for b in blocks):
        raise ShapeError("Given input with spatial size ({}, {}), kernel_size={}, dilation={}, padding={}, calculated "
                         "shape of the array of sliding blocks as ({}, {}), but its components must be at least one."
                         .format(_vt(h), _vt(w), list(k), list(d), list(p), _vt(blocks[0]), _vt(blocks[1])),
                         expected="a kernel that fits the padded input")
    return Spec((*x.shape[:-3], c * (k[0] * k[1]), blocks[0] * blocks[1]), x.dtype)


# --------------------------------------------------------------------------------------------------------------
# Python operators on tensors


def _reflect(entry):
    def rule(self, other):
        return entry([other, self], {})
    return rule


for _dunder, _fn in {"__add__": "add", "__sub__": "sub", "__mul__": "mul", "__truediv__": "div",
                     "__floordiv__": "floor_divide", "__mod__": "remainder", "__pow__": "pow",
                     "__matmul__": "matmul", "__lt__": "lt", "__le__": "le", "__gt__": "gt", "__ge__": "ge",
                     "__eq__": "eq", "__ne__": "ne", "__and__": "bitwise_and", "__or__": "bitwise_or",
                     "__xor__": "bitwise_xor"}.items():
    TORCH_OPERATORS[_dunder] = TORCH_FUNCTIONS[_fn]
    if _dunder in ("__add__", "__sub__", "__mul__", "__truediv__", "__pow__", "__and__", "__or__"):
        TORCH_OPERATORS[_dunder.replace("__", "__i", 1)] = TORCH_FUNCTIONS[_fn]
for _dunder, _fn in {"__radd__": "add", "__rsub__": "sub", "__rmul__": "mul", "__rtruediv__": "div",
                     "__rfloordiv__": "floor_divide", "__rmod__": "remainder", "__rpow__": "pow",
                     "__rmatmul__": "matmul", "__rand__": "bitwise_and", "__ror__": "bitwise_or"}.items():
    TORCH_OPERATORS.op(_dunder, "self, other")(_reflect(TORCH_FUNCTIONS[_fn]))
TORCH_OPERATORS["__neg__"] = TORCH_FUNCTIONS["neg"]
TORCH_OPERATORS["__abs__"] = TORCH_FUNCTIONS["abs"]
TORCH_OPERATORS["__invert__"] = TORCH_FUNCTIONS["bitwise_not"]
TORCH_OPERATORS.op("__pos__", "self")(lambda self: to_spec(self))
TENSOR_METHODS["__getitem__"] = TORCH_OPERATORS["__getitem__"]


# --------------------------------------------------------------------------------------------------------------
# More of torch: what transformer and CNN code also uses


for _name in ("normal_", "uniform_", "fill_", "copy_", "bernoulli_", "exponential_", "random_", "clamp_min_",
              "clamp_max_", "mul_", "masked_scatter_", "index_fill_", "scatter_", "zero_"):
    TENSOR_METHODS.op(_name, "self, *args, **kwargs")(lambda self, args, kwargs: to_spec(self))


@TENSOR_METHODS.op("__len__", "self")
def _len(self):
    x = to_spec(self)
    if not x.shape:
        raise ShapeError("len() of a 0-d tensor", expected="a tensor with at least one dim")
    return x.shape[0].value if x.shape[0].value is not None else x.shape[0]


TORCH_OPERATORS["__len__"] = TENSOR_METHODS["__len__"]


@TENSOR_METHODS.op("unfold", "self, dimension, size, step")
def _unfold_method(self, dimension, size, step):
    """x.unfold(dim, size, step): windows of `size` every `step` along dim, the window as a new last dim."""
    x = to_spec(self)
    sz, st = S._int(size, "size"), S._int(step, "step")
    if st <= 0:
        raise ShapeError(f"step is {st} but must be > 0", expected="step > 0")
    if not x.shape:
        return Spec((Known(sz),), x.dtype)
    ax = S.norm_axis(dimension, len(x.shape), "torch")
    d = x.shape[ax]
    if d.value is not None and sz > d.value:
        raise ShapeError(f"maximum size for tensor at dimension {ax} is {d.value} but size is {sz}",
                         expected=f"size ≤ {d.value}")
    if sz < 0:
        raise ShapeError(f"size is {sz} but must be >= 0", expected="size ≥ 0")
    windows = S.window_out(d, sz, st) if sz else (d // st + 1)
    return Spec((*x.shape[:ax], windows, *x.shape[ax + 1:], Known(sz)), x.dtype)


@_both("addmm", "input, mat1, mat2, *, beta=1, alpha=1, out=None")
def _addmm(input, mat1, mat2, beta=1, alpha=1, out=None):
    c, a, b = to_spec(input), to_spec(mat1, "mat1"), to_spec(mat2, "mat2")
    shape = S.mm(a.shape, b.shape)
    S.expand(c.shape, shape)
    return Spec(shape, a.dtype)


@_both("baddbmm", "input, batch1, batch2, *, beta=1, alpha=1, out=None")
def _baddbmm(input, batch1, batch2, beta=1, alpha=1, out=None):
    c, a, b = to_spec(input), to_spec(batch1, "batch1"), to_spec(batch2, "batch2")
    shape = S.bmm(a.shape, b.shape)
    S.expand(c.shape, shape)
    return Spec(shape, a.dtype)


@_both("norm", "input, p='fro', dim=None, keepdim=False, out=None, dtype=None",
       "input, p='fro', dim=None, keepdim=False, dtype=None")
def _norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    x = to_spec(input)
    out_dtype = _opt_dtype(dtype) or x.dtype
    if not (is_float(out_dtype) or is_complex(out_dtype)):
        raise ShapeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                         f"{_long_name(out_dtype)}", expected="a float tensor", fix="convert first: x.float()")
    return Spec(S.reduce(x.shape, _dim_arg(dim), bool(keepdim), fw="torch"), out_dtype)


@TORCH_FUNCTIONS.op("view_as_complex", "input")
def _view_as_complex(input):
    x = to_spec(input)
    if not x.shape or x.shape[-1].value not in (2, None):
        raise ShapeError("Tensor must have a last dimension of size 2", expected="(..., 2)")
    if x.dtype not in ("float32", "float64", "float16"):
        raise ShapeError("view_as_complex is only supported for floating point tensors", expected="a float tensor")
    return Spec(x.shape[:-1], {"float64": "complex128", "float16": "complex32"}.get(x.dtype, "complex64"))


@TORCH_FUNCTIONS.op("view_as_real", "input")
def _view_as_real(input):
    x = to_spec(input)
    if not is_complex(x.dtype):
        raise ShapeError("view_as_real is only supported for complex tensors", expected="a complex tensor")
    return Spec((*x.shape, Known(2)), "float64" if x.dtype == "complex128" else "float32")


@_both("multinomial", "input, num_samples, replacement=False, *, generator=None, out=None")
def _multinomial(input, num_samples, replacement=False, generator=None, out=None):
    x = to_spec(input)
    n = S._int(num_samples, "num_samples")
    if len(x.shape) not in (1, 2):
        raise ShapeError("prob_dist must be 1 or 2 dim", expected="(categories,) or (rows, categories)")
    if n <= 0:
        raise ShapeError("cannot sample n_sample <= 0 samples", expected="num_samples > 0")
    if not replacement and x.shape[-1].value is not None and n > x.shape[-1].value:
        raise ShapeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement",
                         expected=f"num_samples ≤ {x.shape[-1].value}")
    return Spec((*x.shape[:-1], Known(n)), "int64")


@TORCH_FUNCTIONS.op("meshgrid", "*tensors, indexing=None")
def _meshgrid(tensors, indexing=None):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    specs = [to_spec(t, "tensors") for t in tensors]
    for s in specs:
        if len(s.shape) > 1:
            raise ShapeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list", expected="1-D tensors")
    sizes = [s.shape[0] if s.shape else S.ONE for s in specs]
    if indexing not in (None, "ij", "xy"):
        raise ArgumentError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    if indexing == "xy" and len(sizes) >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return tuple(Spec(tuple(sizes), s.dtype) for s in specs)


@TORCH_FUNCTIONS.op("cdist", "x1, x2, p=2.0, compute_mode='use_mm_for_euclid_dist_if_necessary'")
def _cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    a, b = to_spec(x1, "x1"), to_spec(x2, "x2")
    if len(a.shape) < 2 or len(b.shape) < 2:
        raise ShapeError(f"cdist only supports at least 2D tensors, X1 got: {len(a.shape)}D", expected="(…, P, M)")
    if S._differ(a.shape[-1], b.shape[-1]):
        raise ShapeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1].value} X2: "
                         f"{b.shape[-1].value}", expected="equal last sizes")
    batch = S.broadcast(a.shape[:-2], b.shape[:-2], fw="torch")
    return Spec((*batch, a.shape[-2], b.shape[-2]), a.dtype)


@_both("dot", "input, tensor, *, out=None")
def _dot(input, tensor, out=None):
    a, b = to_spec(input), to_spec(tensor, "tensor")
    if len(a.shape) != 1 or len(b.shape) != 1:
        raise ShapeError(f"1D tensors expected, but got {len(a.shape)}D and {len(b.shape)}D tensors",
                         expected="two vectors", fix="use torch.matmul or @ for matrices")
    _same_dtype(a, b, "dot : expected both vectors to have same dtype")
    return Spec(S.matmul(a.shape, b.shape, fw="torch"), a.dtype)


@_both("mv", "input, vec, *, out=None")
def _mv(input, vec, out=None):
    a, b = to_spec(input), to_spec(vec, "vec")
    if len(a.shape) != 2 or len(b.shape) != 1:
        raise ShapeError(f"vector + matrix @ vector expected, got {len(b.shape)}, {len(a.shape)}, {len(b.shape)}",
                         expected="a matrix and a vector")
    return Spec(S.matmul(a.shape, b.shape, fw="torch"), a.dtype)


@_both("bernoulli", "input, *, generator=None, out=None")
def _bernoulli(input, generator=None, out=None):
    x = to_spec(input)
    return Spec(x.shape, x.dtype)


@TORCH_FUNCTIONS.op("randperm", "n, *, generator=None, out=None, dtype=None, layout=None, device=None, "
                                "requires_grad=False, pin_memory=False")
def _randperm(n, generator=None, out=None, dtype=None, **_):
    size = S.dim(n, "n")
    if size.value is not None and size.value < 0:
        raise ShapeError(f"n must be non-negative, got{size.value}", expected="n ≥ 0")
    return Spec((size,), _opt_dtype(dtype) or "int64")


@_both("nan_to_num", "input, nan=0.0, posinf=None, neginf=None, *, out=None")
def _nan_to_num(input, nan=0.0, posinf=None, neginf=None, out=None):
    x = to_spec(input)
    return Spec(x.shape, x.dtype)


@TORCH_FUNCTIONS.op("polar", "abs, angle, *, out=None")
def _polar(abs, angle, out=None):
    a, b = to_spec(abs, "abs"), to_spec(angle, "angle")
    if a.dtype != b.dtype:
        raise ShapeError(f"Expected object of scalar type {_long_name(a.dtype)} but got scalar type "
                         f"{_long_name(b.dtype)} for second argument", expected="abs and angle of one dtype")
    if a.dtype not in ("float32", "float64"):
        raise ShapeError(f"polar expects float or double inputs, got {_long_name(a.dtype)}", expected="floats")
    return Spec(S.broadcast(a.shape, b.shape, fw="torch"), "complex128" if a.dtype == "float64" else "complex64")


@_both("median", "input, dim=None, keepdim=False")
def _median(input, dim=None, keepdim=False):
    x = to_spec(input)
    if dim is None:
        return Spec((), x.dtype)
    shape = S.reduce(x.shape, S._int(dim, "dim"), bool(keepdim), fw="torch") if x.shape else ()
    return ValuesIndices(Spec(shape, x.dtype), Spec(shape, "int64"))


FUNCTIONAL.op("local_response_norm", "input, size, alpha=0.0001, beta=0.75, k=1.0")(
    lambda input, size, alpha=0.0001, beta=0.75, k=1.0: _lrn(input))
FUNCTIONAL.op("gumbel_softmax", "logits, tau=1, hard=False, eps=1e-10, dim=-1")(
    lambda logits, tau=1, hard=False, eps=1e-10, dim=-1: _softmax(logits, dim))


def _lrn(input):
    x = to_spec(input)
    if len(x.shape) < 3:
        raise ShapeError(f"Expected 3D or higher dimensionality input (got {len(x.shape)} dimensions)",
                         expected="(N, C, ...)")
    return Spec(x.shape, x.dtype)


@FUNCTIONAL.op("fold", "input, output_size, kernel_size, dilation=1, padding=0, stride=1")
def _fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    x = to_spec(input)
    if len(x.shape) not in (2, 3):
        raise ShapeError(f"Input Error: Only unbatched (2D) or batched (3D) input Tensors are supported (got "
                         f"{len(x.shape)}D)", expected="(N, C·kh·kw, L)")
    out = _ntuple(output_size, 2, "output_size")
    k, d, p, st = (_ntuple(v, 2, w) for v, w in ((kernel_size, "kernel_size"), (dilation, "dilation"),
                                                 (padding, "padding"), (stride, "stride")))
    cols, blocks = x.shape[-2], x.shape[-1]
    kk = k[0] * k[1]
    if cols.value is not None and cols.value % kk:
        raise ShapeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                         f"got input.size(1)={cols.value} and kernel_size={tuple(k)}",
                         expected=f"a multiple of {kk}")
    n_blocks = [(o + 2 * p_ - d_ * (k_ - 1) - 1) // s_ + 1 for o, k_, d_, p_, s_ in zip(out, k, d, p, st)]
    if blocks.value is not None and blocks.value != n_blocks[0] * n_blocks[1]:
        raise ShapeError(f"Given output_size={tuple(out)}, kernel_size={tuple(k)}, dilation={tuple(d)}, "
                         f"padding={tuple(p)}, stride={tuple(st)}, expected size of input's dimension 2 to match "
                         f"the calculated number of sliding blocks {n_blocks[0]} * {n_blocks[1]} = "
                         f"{n_blocks[0] * n_blocks[1]}, but got input.size(2)={blocks.value}.",
                         expected=f"{n_blocks[0] * n_blocks[1]} blocks")
    channels = cols.exactdiv(Known(kk)) if cols.value is not None else Unknown("None")
    return Spec((*x.shape[:-2], channels, Known(out[0]), Known(out[1])), x.dtype)


# --------------------------------------------------------------------------------------------------------------
# Matrix exponential, spatial transformers (affine_grid / grid_sample), sparse COO tensors


@_both("matrix_exp", "input")
def _matrix_exp(input):
    x = to_spec(input)
    if len(x.shape) < 2:
        raise ShapeError("linalg.matrix_exp: The input tensor A must have at least 2 dimensions.",
                         expected="(*, n, n)")
    if not (is_float(x.dtype) or is_complex(x.dtype)):
        raise ShapeError(f"linalg.matrix_exp: Expected a floating point or complex tensor as input. Got "
                         f"{_long_name(x.dtype)}", expected="a float tensor", fix="convert first: x.float()")
    rows, cols = x.shape[-2], x.shape[-1]
    if S._differ(rows, cols):
        raise ShapeError(f"linalg.matrix_exp: A must be batches of square matrices, but they are {rows.value} by "
                         f"{cols.value} matrices", expected="square matrices (*, n, n)")
    return Spec(x.shape, x.dtype)


def _size_text(size):
    values = tuple(d.value if isinstance(d, Dim) else d for d in size)
    return f"{values}" if isinstance(size, tuple) else f"{list(values)}"


@FUNCTIONAL.op("affine_grid", "theta, size, align_corners=None")
def _affine_grid(theta, size, align_corners=None):
    """(N, 2, 3) affine matrices and an output size (N, C, H, W) give a sampling grid (N, H, W, 2); (N, 3, 4) and
    (N, C, D, H, W) give (N, D, H, W, 3)."""
    t = to_spec(theta, "theta")
    if not isinstance(size, (tuple, list)):
        raise ArgumentError(f"affine_grid(): size must be a tuple of ints, not {_type_name(size)}",
                            expected="the output size (N, C, H, W)", fix="pass x.size()")
    sizes = [S.dim(v, "size") for v in size]
    if not is_float(t.dtype):
        raise ShapeError(f"Expected theta to have floating point type, but got torch.{t.dtype}",
                         expected="float affine matrices")
    if len(sizes) in (4, 5):
        k = len(sizes) - 2
        if len(t.shape) != 3 or S._differ(t.shape[-2], Known(k)) or S._differ(t.shape[-1], Known(k + 1)):
            raise ShapeError(f"Expected a batch of {k}D affine matrices of shape Nx{k}x{k + 1} for size "
                             f"{_size_text(size)}. Got torch.Size({S.fmt(t.shape, 'torch')}).",
                             expected=f"theta of shape (N, {k}, {k + 1})")
    else:
        raise ShapeError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                         f"respectively. Got size {_size_text(size)}.", expected="(N, C, H, W) or (N, C, D, H, W)")
    spatial = sizes[2:]
    small = [d.value for d in (spatial if align_corners else sizes) if d.value is not None]
    if not (align_corners and small and min(small) == 1) and any(d.value is not None and d.value <= 0
                                                                 for d in sizes):
        raise ShapeError(f"Expected non-zero, positive output size. Got {_size_text(size)}",
                         expected="positive sizes")
    if S._differ(t.shape[0], sizes[0]):
        raise ShapeError(f"Expected size for first two dimensions of batch2 tensor to be: [{sizes[0].value}, "
                         f"{k + 1}] but got: [{t.shape[0].value}, {k + 1}].",
                         expected=f"{sizes[0].value} affine matrices (one per output batch item)")
    return Spec((sizes[0], *spatial, Known(k)), t.dtype)


@FUNCTIONAL.op("grid_sample", "input, grid, mode='bilinear', padding_mode='zeros', align_corners=None")
def _grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples input (N, C, H, W) at grid (N, Ho, Wo, 2) positions: (N, C, Ho, Wo) (and the 5-D volume case)."""
    x, g = to_spec(input), to_spec(grid, "grid")
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ArgumentError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                            f"but got: '{mode}'", expected="'bilinear', 'nearest' or 'bicubic'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ArgumentError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                            f"'reflection', but got: '{padding_mode}'", expected="'zeros', 'border' or 'reflection'")
    sizes = f"input with sizes {S.fmt(x.shape, 'torch')} and grid with sizes {S.fmt(g.shape, 'torch')}"
    if x.dtype != g.dtype:
        raise ShapeError(f"expected scalar type {_SCALAR.get(x.dtype, x.dtype)} but found "
                         f"{_SCALAR.get(g.dtype, g.dtype)}", expected="input and grid of one dtype",
                         fix="cast the grid: grid.to(x.dtype)")
    if len(x.shape) != len(g.shape) or len(x.shape) < 1:
        raise ShapeError(f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}"
                         if len(x.shape) != len(g.shape) else "grid_sampler(): expected 4D or 5D input",
                         expected="input (N, C, H, W) with grid (N, Ho, Wo, 2), or 5-D with a grid (..., 3)")
    if S._differ(x.shape[0], g.shape[0]):
        raise ShapeError(f"grid_sampler(): expected grid and input to have same batch size, but got {sizes}",
                         expected=f"a grid for {x.shape[0].value} batch items")
    k = len(x.shape) - 2
    if S._differ(g.shape[-1], Known(k)):
        raise ShapeError(f"grid_sampler(): expected grid to have size {k} in last dimension, but got grid with "
                         f"sizes {S.fmt(g.shape, 'torch')}", expected=f"grid (..., {k})")
    if k not in (2, 3):
        raise ShapeError(f"grid_sampler(): expected 4D or 5D input and grid with same number of dimensions, but "
                         f"got {sizes}", expected="(N, C, H, W) or (N, C, D, H, W)")
    for i, d in enumerate(x.shape[2:], 2):
        if d.value == 0:
            raise ShapeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                             f"sizes {S.fmt(x.shape, 'torch')} with dimension {i} being empty",
                             expected="non-empty spatial dimensions")
    if mode == "bicubic" and k != 2:
        raise ShapeError("grid_sampler(): bicubic interpolation only supports 4D input", expected="(N, C, H, W)")
    if not is_float(x.dtype):
        raise ShapeError(f"\"grid_sampler_{k}d_cpu_kernel_impl\" not implemented for '{_SCALAR.get(x.dtype)}'",
                         expected="a float input and grid", fix="convert first: x.float()")
    return Spec((x.shape[0], x.shape[1], *g.shape[1:-1]), x.dtype)


_SCALAR = {"float32": "Float", "float64": "Double", "float16": "Half", "bfloat16": "BFloat16", "int64": "Long",
           "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


@TORCH_FUNCTIONS.op("sparse_coo_tensor", "indices, values, size=None, *, dtype=None, device=None, pin_memory=False, "
                                         "requires_grad=False, check_invariants=None, is_coalesced=None")
def _sparse_coo_tensor(indices, values, size=None, dtype=None, device=None, pin_memory=False, requires_grad=False,
                       check_invariants=None, is_coalesced=None):
    """A sparse COO tensor of the given size: ``indices`` (sparse_dim, nnz), ``values`` (nnz, *dense). Its shape is
    the size (without one, torch takes it from the indices' values: data shapewise does not have). The sparse
    layout itself is not tracked: its shape and dtype are what the ops see."""
    idx = indices if isinstance(indices, Spec) else _tensor(indices)
    vals = values if isinstance(values, Spec) else _tensor(values)
    if size is None:
        raise ArgumentError("torch.sparse_coo_tensor without a size takes its shape from the indices' values, which "
                            "shapewise does not compute", expected="an explicit size",
                            fix="pass the size: torch.sparse_coo_tensor(indices, values, (rows, cols))")
    sizes = tuple(S.dim(v, "size") for v in (size if isinstance(size, (tuple, list)) else (size,)))
    if len(idx.shape) > 2:
        raise ShapeError(f"indices must be sparse_dim x nnz, but got: {S.fmt(idx.shape, 'torch')}",
                         expected="indices (sparse_dim, nnz)")
    sparse_dim = idx.shape[0] if len(idx.shape) >= 1 else Known(1)
    dense_dim = len(vals.shape) - 1
    if sparse_dim.value is not None and len(sizes) != sparse_dim.value + dense_dim:
        raise ShapeError(f"'len(size) == sparse_dim + dense_dim' is not satisfied: len(size) = {len(sizes)}, "
                         f"sparse_dim = {sparse_dim.value}, dense_dim = {dense_dim}",
                         expected=f"a size of {sparse_dim.value + dense_dim} dims")
    nnz_i = idx.shape[1] if len(idx.shape) == 2 else None
    if nnz_i is not None and vals.shape and S._differ(nnz_i, vals.shape[0]):
        raise ShapeError(f"indices and values must have same nnz, but got nnz from indices: {nnz_i.value}, nnz from "
                         f"values: {vals.shape[0].value}", expected="one value per index column")
    if sparse_dim.value is not None and any(S._differ(a, b) for a, b in zip(sizes[sparse_dim.value:], vals.shape[1:])):
        raise ShapeError(f"values has incorrect size, expected {S.fmt((vals.shape[0], *sizes[sparse_dim.value:]), 'torch')}, "
                         f"got {S.fmt(vals.shape, 'torch')}", expected="values (nnz, *dense sizes of size)")
    out = Spec(sizes, _opt_dtype(dtype) or vals.dtype)
    if len(SPARSE) > 1000:
        SPARSE.clear()
    SPARSE[id(out)] = (out, idx, vals)  # what it stores: the memory of a training step reads it
    return out


#: the sparse COO tensors made, by id of their Spec: (the Spec, its indices' Spec, its values' Spec). A Spec is a
#: dense shape; what a sparse one stores (int64 indices and the values) is known from these
SPARSE = {}


TORCH_FUNCTIONS.op("spmm", "input, mat2")(lambda input, mat2: _mm(input, mat2))

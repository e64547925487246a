"""Small helpers the torch.nn rules share: torch's argument normalisation and the wording of its messages."""

from __future__ import annotations

from ...dims import Dim, Known, Named
from ...errors import ArgumentError
from ..tensor import SCALAR_NAMES, is_floating

# The axis names the Keras conv rules use (rules/conv.py), repeated here so that importing shapewise.torch does not
# import every Keras rule (rules/__init__ loads them all).
SPATIAL_NAMES = {1: ("length",), 2: ("height", "width"), 3: ("depth", "height", "width")}
SHORT = {"length": "l", "steps": "s", "depth": "d", "height": "h", "width": "w"}
KERNEL_ROLES = {1: ("kernel_size",), 2: ("kh", "kw"), 3: ("kd", "kh", "kw")}


def spatial_names(n):
    return SPATIAL_NAMES.get(n) or tuple(f"axis{i + 1}" for i in range(n))


#: In a fix, the module's name: the report puts the qualified name (``fc1``) in its place.
MODULE = "{module}"


def ntuple(value, n, arg="", layer_type=""):
    """torch's ``_ntuple``: an int repeated n times, or a sequence of n values."""
    if isinstance(value, (tuple, list)):
        values = tuple(value)
        if len(values) != n and arg:
            raise ArgumentError(f"{layer_type}: `{arg}` must be an int or a tuple of {n} ints, got {value!r}",
                                layer_type=layer_type)
        return values
    return (value,) * n


def as_int(value, arg, layer_type):
    if isinstance(value, Dim):
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"{layer_type}: argument '{arg}' must be int, not {type(value).__name__}",
                            layer_type=layer_type)
    return value


def dims_list(dims):
    """[1, 3, 28, 28] as torch prints a size in its messages."""
    return "[" + ", ".join(str(d.value if isinstance(d, Dim) else d) for d in dims) + "]"


def by_x(values):
    return "x".join(str(v.value if isinstance(v, Dim) else v) for v in values)


def source_expr(dim):
    """How a dim came to be, in numbers (``16·5·5``), looking through the names layers gave it; '' when it is a
    plain number."""
    d = dim
    while isinstance(d, Named):
        d = d.inner
    text = d.numbers()
    return "" if text == str(dim.value) else text


def scalar_name(dtype):
    return SCALAR_NAMES.get(dtype, dtype)


def require_float(ctx, spec, what):
    """torch refuses integer inputs to layers with floating-point weights."""
    if not is_floating(spec.dtype):
        ctx.fail(f"{what} must have the same dtype, but got {scalar_name(spec.dtype)} and Float",
                 expected="a floating-point tensor (torch.float32)",
                 fix="convert the input with .float() (integer ids go to nn.Embedding)")


def require_floating(ctx, spec, kernel):
    """torch's kernels that exist for floating-point tensors only: ``"batch_norm" not implemented for 'Long'``."""
    if not is_floating(spec.dtype):
        ctx.fail(f'"{kernel}" not implemented for \'{scalar_name(spec.dtype)}\'',
                 expected="a floating-point tensor (torch.float32)", fix="convert the input with .float()")


def normalize_dim(ctx, dim, rank, what="dim"):
    """A dim argument in torch's range [-rank, rank - 1] (a 0-d tensor takes [-1, 0]), as a non-negative index."""
    r = max(rank, 1)
    if isinstance(dim, bool) or not isinstance(dim, int) or not -r <= dim < r:
        ctx.fail(f"Dimension out of range (expected to be in range of [{-r}, {r - 1}], but got {dim})",
                 expected=f"{what} between {-r} and {r - 1} for a {rank}D input")
    return dim % r if rank else 0


def role(value, name):
    """A size from a module's arguments with the role it plays; torch.empty's checks on a size."""
    if isinstance(value, Dim) and value.value is not None:
        value = value.value
    if isinstance(value, bool) or not isinstance(value, int):
        raise ArgumentError(f"empty(): argument 'size' must be tuple of ints, but found element of type "
                            f"{type(value).__name__}", layer_type=name, fix=f"{name} must be an int")
    if value < 0:
        raise ArgumentError(f"Trying to create tensor with negative dimension {value}: [{value}]", layer_type=name,
                            fix=f"{name} must be ≥ 0")
    return Known(value, name)


def check_ints(ctx, op, arg, values, positive=False, non_negative=False):
    """A window argument as torch's kernels check it at the call: ints (not bools), in range."""
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int):
            ctx.fail(f"{op}(): argument '{arg}' must be tuple of ints, but found element of type "
                     f"{type(v).__name__}", expected=f"{arg} as ints")
    if positive and min(values, default=1) <= 0:
        what = {"stride": "non-positive stride is not supported", "dilation": "dilation should be greater than zero",
                "kernel_size": "kernel size should be greater than zero"}.get(arg, f"{arg} must be positive")
        ctx.fail(what, expected=f"{arg} > 0")
    if non_negative and min(values, default=0) < 0:
        ctx.fail(f"negative {arg} is not supported", expected=f"{arg} ≥ 0")


def check_probability(p, layer_type):
    if not isinstance(p, (int, float)) or p < 0 or p > 1:
        raise ArgumentError(f"dropout probability has to be between 0 and 1, but got {p}", layer_type=layer_type)
    return p


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"

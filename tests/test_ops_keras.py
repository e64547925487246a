"""keras.ops on symbolic tensors: shapewise's KERAS_OPS against real keras.ops applied to keras.KerasTensor.

Each case is run twice, with real Keras (3, torch backend) on KerasTensors and with shapewise on Specs; the
output shapes and dtypes must be equal, and both must raise or neither.
"""

import inspect
import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras")

from shapewise.dims import Unknown  # noqa: E402
from shapewise.engine import Spec  # noqa: E402
from shapewise.errors import ShapewiseError  # noqa: E402
from shapewise.ops.keras_ops import KERAS_OPERATORS, KERAS_OPS  # noqa: E402


class T:
    """A symbolic tensor in a case: its shape (None for unknown) and dtype."""

    def __init__(self, *shape, dtype="float32"):
        self.shape, self.dtype = shape, dtype

    def __repr__(self):
        return f"T{self.shape}{'' if self.dtype == 'float32' else ':' + self.dtype}"


def _to_keras(v):
    if isinstance(v, T):
        return keras.KerasTensor(v.shape, v.dtype)
    if isinstance(v, list):
        return [_to_keras(x) for x in v]
    return v


def _to_shapewise(v):
    if isinstance(v, T):
        return Spec(tuple(Unknown("None") if d is None else d for d in v.shape), v.dtype)
    if isinstance(v, list):
        return [_to_shapewise(x) for x in v]
    return v


def _keras_fn(name):
    obj = keras.ops
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


def _describe(out):
    """A comparable description of an op's result: shapes as tuples of ints/None, dtypes as strings."""
    if isinstance(out, Spec):
        return ("tensor", out.values(), out.dtype)
    if hasattr(out, "shape") and hasattr(out, "dtype"):  # a KerasTensor, or a real tensor from an op on no tensor
        return ("tensor", tuple(out.shape), keras.backend.standardize_dtype(out.dtype))
    if isinstance(out, (list, tuple)):
        if out and all(isinstance(o, Spec) or hasattr(o, "dtype") for o in out):
            return ("seq", [_describe(o) for o in out])
        return ("dims", tuple(getattr(d, "value", d) for d in out))
    if hasattr(out, "value") and not isinstance(out, (int, float)):
        return ("dim", out.value)
    return ("scalar", out)


def _normalize(desc):
    """keras.ops.shape returns a tuple of ints/None; shapewise a tuple of Dims: both read as dims."""
    if desc[0] == "seq" and all(d[0] == "scalar" for d in desc[1]):
        return ("dims", tuple(d[1] for d in desc[1]))
    return desc


def run_both(name, args, kwargs, operator=False):
    if operator:
        k_args = [_to_keras(a) for a in args]
        try:
            real = getattr(k_args[0], name)(*k_args[1:], **kwargs)
            real_desc, real_err = _describe(real), None
        except Exception as e:  # noqa: BLE001 - whatever Keras raises counts as raising
            real_desc, real_err = None, e
        table = KERAS_OPERATORS
    else:
        try:
            real = _keras_fn(name)(*[_to_keras(a) for a in args], **{k: _to_keras(v) for k, v in kwargs.items()})
            real_desc, real_err = _describe(real), None
        except Exception as e:  # noqa: BLE001
            real_desc, real_err = None, e
        table = KERAS_OPS
    try:
        ours = table[name]([_to_shapewise(a) for a in args], {k: _to_shapewise(v) for k, v in kwargs.items()})
        ours_desc, ours_err = _describe(ours), None
    except ShapewiseError as e:
        ours_desc, ours_err = None, e
    return real_desc, real_err, ours_desc, ours_err


def check(name, args, kwargs=None, operator=False):
    real_desc, real_err, ours_desc, ours_err = run_both(name, args, kwargs or {}, operator)
    assert ours_err is None or "unsupported arguments (" not in str(ours_err), ours_err
    if real_err is not None:
        assert ours_err is not None, f"Keras raises {type(real_err).__name__}: {real_err}; shapewise gives {ours_desc}"
        return
    assert ours_err is None, f"Keras gives {real_desc}; shapewise raises {ours_err}"
    assert _normalize(ours_desc) == _normalize(real_desc)


# --------------------------------------------------------------------------------------------------------------
# The cases

SHAPES_BCAST = [((2, 3), (3,)), ((2, 1), (1, 4)), ((None, 3), (5, 3)), ((None, 1), (4,)), ((4, 3), (2, 3)),
                ((), (2, 3)), ((2, 3, 4), (3, 1)), ((None, 4), (None, 4)), ((1,), (None,)), ((3,), (4,))]
DTYPES = ["float32", "int32", "bool", "float16", "int8", "int64", "uint8", "bfloat16"]

CASES = []


def case(name, *args, **kwargs):
    CASES.append((name, list(args), kwargs))


for a, b in SHAPES_BCAST:
    for fn in ("add", "multiply", "subtract", "divide", "equal", "maximum", "power", "floor_divide",
               "logical_and", "mod", "where"):
        if fn == "where":
            case(fn, T(*a, dtype="bool"), T(*a), T(*b))
        else:
            case(fn, T(*a), T(*b))
for d1 in DTYPES:
    for d2 in ["float32", "int32", "bool", "float16", "int64"]:
        case("add", T(2, dtype=d1), T(2, dtype=d2))
        case("divide", T(2, dtype=d1), T(2, dtype=d2))
    for scalar in (1, 2.5, True):
        case("add", T(2, dtype=d1), scalar)
        case("multiply", scalar, T(2, dtype=d1))
        case("divide", T(2, dtype=d1), scalar)
for d in DTYPES:
    for fn in ("sqrt", "exp", "abs", "relu", "sigmoid", "tanh", "floor", "square", "logical_not", "negative",
               "softmax", "log_softmax", "gelu", "silu", "sum", "mean", "max", "argmax", "cumsum", "reciprocal",
               "cbrt", "round", "sign", "isnan", "clip" if d != "bool" else "abs"):
        if fn == "clip":
            case(fn, T(2, 3, dtype=d), 0, 1)
        else:
            case(fn, T(2, 3, dtype=d))

MATMUL = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
          ((5, 2, 3), (1, 3, 4)), ((None, 2, 3), (3, 4)), ((2, None), (3, 4)), ((2, 3), (4, 5)), ((7, 2, 3), (5, 3, 4)),
          ((None, 8, 16), (None, 16, 8)), ((2, 3), ()), ((4,), (5,)), ((2, 1, 3, 4), (6, 4, 2)), ((3,), (2, 3, 4))]
for a, b in MATMUL:
    case("matmul", T(*a), T(*b))
    case("dot", T(*a), T(*b))
case("matmul", T(2, 3, dtype="int8"), T(3, 4, dtype="int8"))
case("matmul", T(2, 3, dtype="int32"), T(3, 4, dtype="float16"))

for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("ii->i", [(3, 3)]),
                   ("ij->", [(2, 3)]), ("ij,jk", [(2, 3), (3, 4)]), ("...ij,...jk->...ik", [(7, 2, 3), (7, 3, 4)]),
                   ("bqhd,bkhd->bhqk", [(None, 5, 4, 8), (None, 6, 4, 8)]), ("ij,jk->ik", [(2, 3), (4, 5)]),
                   ("i,i->", [(3,), (3,)]), ("ij->ji", [(2, 3)]), ("ij,kj->ik", [(2, 3), (4, 3)]),
                   ("abc,cd->abd", [(None, 7, 3), (3, 2)])]:
    case("einsum", eq, *[T(*s) for s in shapes])

RESHAPE = [((2, 3, 4), (6, 4)), ((2, 3, 4), (-1, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (5, -1)), ((2, 3, 4), (-1, -1)),
           ((None, 3, 4), (-1, 12)), ((None, 3, 4), (-1, 5)), ((None, 3, 4), (3, 4, -1)), ((2, 3, 4), (24,)),
           ((2, 3, 4), (25,)), ((2, 3, 4), (2, -2, 12)), ((), (1, 1)), ((4,), (2, 2)), ((None, 8, 8, 3), (-1, 64, 3)),
           ((2, 3, 4), (0, -1)), ((0, 3), (-1, 3))]
for a, b in RESHAPE:
    case("reshape", T(*a), b)

for axes in [None, (1, 0, 2), (2, 0, 1), (0, 1), (0, 0, 1), (0, 1, 3), (-1, 0, 1)]:
    case("transpose", T(2, None, 4), axes)
for a1, a2 in [(0, 1), (-1, 0), (0, 3), (1, 1)]:
    case("swapaxes", T(2, 3, 4), a1, a2)
for s, d in [(0, -1), (-1, 0), ((0, 1), (1, 0)), (0, 3), ((0, 1), (2,))]:
    case("moveaxis", T(2, 3, 4), s, d)
for ax in [0, 1, -1, 3, 4, -4, -5, (0, 1), (0, -1), (0, 0)]:
    case("expand_dims", T(2, 3, 4), ax)
for shape, ax in [((1, 3, 1), None), ((1, 3, 1), 0), ((1, 3, 1), -1), ((1, 3, 1), 1), ((None, 1), 1),
                  ((None, 1), 0), ((1, 3, 1), (0, 2)), ((1, 3, 1), 3), ((2, 3), None)]:
    case("squeeze", T(*shape), ax)

for shapes, ax in [([(2, 3), (2, 4)], 1), ([(2, 3), (5, 3)], 0), ([(2, 3), (2, 4)], 0), ([(None, 3), (2, 3)], 0),
                   ([(2, 3), (2, 3, 1)], 0), ([(2, 3), (2, None)], -1), ([(2, 3)], 0), ([(2, 3), (2, 3)], 2),
                   ([(None, 4, 4, 8), (None, 4, 4, 16)], -1), ([(None, 4, 4, 8), (None, 5, 4, 16)], -1)]:
    case("concatenate", [T(*s) for s in shapes], ax)
for shapes, ax in [([(2, 3), (2, 3)], 0), ([(2, 3), (2, 3)], -1), ([(2, 3), (2, 4)], 0), ([(2, 3)] * 3, 1),
                   ([(2, None), (2, 3)], 0), ([(2, 3), (2, 3)], 3)]:
    case("stack", [T(*s) for s in shapes], ax)
for shape, sec, ax in [((6, 4), 2, 0), ((6, 4), 3, 0), ((6, 4), 4, 0), ((6, 4), [1, 3], 0), ((6, 4), [2], 1),
                       ((None, 4), 2, 1), ((6, 4), [1, 9], 0), ((6, 4), 2, -1)]:
    case("split", T(*shape), sec, ax)

for fn in ("sum", "mean", "max", "min", "prod", "std", "var", "all", "any", "logsumexp", "amax"):
    for ax in [None, 0, -1, (0, 2), (1, -1), 3, -4]:
        for kd in (False, True):
            case(fn, T(2, None, 4), ax, kd)
for fn in ("argmax", "argmin"):
    for ax in [None, 0, -1, 2, 3]:
        for kd in (False, True):
            case(fn, T(2, 3, 4), ax, kd)

for shape, k in [((2, 10), 3), ((None, 5), 5), ((4,), 2)]:
    case("top_k", T(*shape), k)
for ind, ax in [((3,), 0), ((2, 2), 1), ((5,), None), ((4,), -1), ((2,), 2)]:
    case("take", T(3, 4), T(*ind, dtype="int32"), ax)
for ind, ax in [((3, 1), 1), ((1, 4), 0), ((3, 4, 1), 1), ((5,), None)]:
    case("take_along_axis", T(3, 4), T(*ind, dtype="int32"), ax)
for shape, n, ax in [((2, 3), 5, -1), ((2,), 4, 0), ((None, 7), 10, 1), ((2, 3), 5, 3)]:
    case("one_hot", T(*shape, dtype="int32"), n, ax)
case("one_hot", T(2, 3, dtype="int32"), 5, dtype="int32")

for reps in [(2,), (2, 3), (1, 2, 3), 2]:
    case("tile", T(2, 3), reps)
for r, ax in [(2, None), (2, 0), (3, -1), ([1, 2], 0)]:
    case("repeat", T(2, 3), r, ax)
for tgt in [(4, 2, 3), (2, 3), (3, 3), (2, 1)]:
    case("broadcast_to", T(2, 3) if tgt != (3, 3) else T(1, 3), tgt)
case("broadcast_to", T(2, 3), (3, 3))
for pw in [((1, 1), (2, 2)), ((0, 0), (1, 3)), 1, ((2, 1),)]:
    case("pad", T(2, 3), pw)
for fn in ("tril", "triu"):
    case(fn, T(4, 4))
    case(fn, T(2, 3, 3), k=1)

for fn in ("zeros", "ones"):
    for shape in [(2, 3), 4, (), (0, 2)]:
        case(fn, shape)
    case(fn, (2, 3), dtype="int32")
case("full", (2, 3), 1.5)
case("full", (2, 3), 7)
case("full", (2, 3), 7, dtype="float32")
for fn in ("zeros_like", "ones_like"):
    case(fn, T(2, None, dtype="int32"))
    case(fn, T(2, 3), dtype="int8")
case("full_like", T(2, 3), 2)
case("eye", 3)
case("eye", 3, 4, dtype="int32")
for a in [(5,), (2, 7), (0, 10, 3), (1.0, 2.0, 0.5), (3, 1), (0, 5, 2)]:
    case("arange", *a)
case("arange", 4, dtype="float32")

case("shape", T(None, 3, 4))
case("cast", T(2, 3), "int32")
case("cast", T(2, 3, dtype="int32"), "float16")
case("convert_to_tensor", [[1, 2], [3, 4]])
case("convert_to_tensor", [1.5, 2.0])
case("ravel", T(2, 3, 4))
case("flip", T(2, 3), 0)
case("sort", T(2, 3))
case("argsort", T(2, 3))
case("cumsum", T(2, 3), 1)
case("unstack", T(3, 4), axis=0)
case("unstack", T(3, 4), axis=1)
case("glu", T(2, 6))
case("glu", T(2, 5))

for key in [0, -1, 5, slice(None), slice(1, None), slice(None, None, 2), slice(-2, None), (slice(None), 0),
            (Ellipsis, None), (slice(None), -1, slice(None)), (None, 0), (0, 0, 0, 0), (Ellipsis, 0),
            (Ellipsis, Ellipsis), (slice(None), slice(1, 3)), (slice(None), None, slice(None, None, -1)),
            (0, slice(None), 3)]:
    case("get_item", T(None, 5, 4), key)
    case("get_item", T(3, 5, 4), key)

CONVS = [((2, 8, 8, 3), (3, 3, 3, 16), {}), ((2, 8, 8, 3), (3, 3, 3, 16), {"padding": "same"}),
         ((2, 8, 8, 3), (3, 3, 3, 16), {"strides": 2}), ((2, 9, 9, 3), (3, 3, 3, 16), {"strides": 2, "padding": "same"}),
         ((None, 8, 8, 3), (3, 3, 3, 4), {"dilation_rate": 2}), ((2, 10, 3), (3, 3, 4), {}),
         ((2, 2, 2, 3), (3, 3, 3, 4), {}), ((2, 3, 8, 8), (3, 3, 3, 4), {"data_format": "channels_first"}),
         ((2, 8, 8, 8, 3), (2, 2, 2, 3, 4), {"strides": (1, 2, 2)})]
for x, k, kw in CONVS:
    case("conv", T(*x), T(*k), **kw)
for x, pool, kw in [((2, 8, 8, 3), 2, {}), ((2, 9, 9, 3), 2, {"padding": "same"}), ((2, 8, 8, 3), 3, {"strides": 1}),
                    ((None, 10, 3), 2, {}), ((2, 3, 8, 8), 2, {"data_format": "channels_first"}),
                    ((2, 1, 1, 3), 2, {}), ((2, 8, 8, 3), (2, 4), {})]:
    case("max_pool", T(*x), pool, **kw)
    case("average_pool", T(*x), pool, **kw)
for x, size, kw in [((2, 8, 8, 3), (4, 4), {}), ((8, 8, 3), (16, 12), {}), ((2, 3, 8, 8), (4, 4),
                    {"data_format": "channels_first"}), ((None, None, None, 3), (32, 32), {}), ((2, 8, 3), (4, 4), {})]:
    case("image.resize", T(*x), size, **kw)
for x, size, kw in [((2, 32, 32, 3), (4, 4), {}), ((2, 32, 32, 3), 8, {}), ((2, 30, 30, 3), (4, 4), {}),
                    ((2, 30, 30, 3), (4, 4), {"padding": "same"}), ((2, 32, 32, 3), (4, 4), {"strides": (2, 2)}),
                    ((32, 32, 3), (8, 8), {}), ((None, 32, 32, 3), (4, 4), {}), ((2, 3, 32, 32), (4, 4),
                    {"data_format": "channels_first"})]:
    case("image.extract_patches", T(*x), size, **kw)
case("nn.relu", T(2, 3))
case("nn.softmax", T(2, 3), axis=0)
case("numpy.add", T(2, 3), T(3))
case("moments", T(2, 3, 4), (0, 1))
case("layer_normalization", T(2, 3, 4))
case("dot_product_attention", T(2, 5, 4, 8), T(2, 6, 4, 8), T(2, 6, 4, 8))


def _id(c):
    name, args, kwargs = c
    text = f"{name}-{'-'.join(map(repr, args))}" + (f"-{kwargs}" if kwargs else "")
    return text.replace(" ", "")[:100]


@pytest.mark.keras
@pytest.mark.parametrize("name,args,kwargs", CASES, ids=[_id(c) for c in CASES])
def test_matches_keras(name, args, kwargs):
    check(name, args, kwargs)


OPERATOR_CASES = []
for dunder in ("__add__", "__sub__", "__mul__", "__truediv__", "__floordiv__", "__mod__", "__pow__", "__lt__",
               "__ge__", "__radd__", "__rsub__", "__rmul__", "__rtruediv__", "__rpow__"):
    for other in (T(3), T(2, 1, dtype="int32"), 2, 1.5, T(4)):
        OPERATOR_CASES.append((dunder, [T(2, 3), other]))
    OPERATOR_CASES.append((dunder, [T(2, 3, dtype="int32"), 2]))
for other in (T(3, 4), T(4), T(2, 3)):
    OPERATOR_CASES.append(("__matmul__", [T(2, 3), other]))
    OPERATOR_CASES.append(("__rmatmul__", [T(3, 2), other]))
for dunder in ("__neg__", "__abs__", "__invert__"):
    OPERATOR_CASES.append((dunder, [T(2, 3, dtype="bool")]))
    OPERATOR_CASES.append((dunder, [T(2, 3, dtype="int32")]))
for dunder in ("__and__", "__or__", "__xor__", "__rand__"):
    OPERATOR_CASES.append((dunder, [T(2, 3, dtype="bool"), T(3, dtype="bool")]))
for key in [(slice(None), 0), (Ellipsis, None), (slice(None), -1, slice(None)), 0, (slice(None), slice(None, 2))]:
    OPERATOR_CASES.append(("__getitem__", [T(None, 4, 5), key]))


@pytest.mark.keras
@pytest.mark.parametrize("name,args", OPERATOR_CASES, ids=[_id((n, a, {})) for n, a in OPERATOR_CASES])
def test_operators_match_keras(name, args):
    check(name, args, operator=True)


def test_every_op_has_keras_signature():
    """Every entry exists in keras.ops under that name, with the same parameter names in the same order."""
    for name, entry in sorted(KERAS_OPS.items()):
        real = _keras_fn(name)
        params = [p.name for p in inspect.signature(real).parameters.values()
                  if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        assert params == entry.signature.names(), name


def test_every_operator_exists_on_keras_tensor():
    for name in KERAS_OPERATORS:
        assert hasattr(keras.KerasTensor, name), name


def test_identity_comparisons_are_not_ops():
    """KerasTensor has no elementwise == / !=: Python compares the objects (x == 2 is False), so the table
    leaves them to the interpreter."""
    assert keras.KerasTensor((2,)).__eq__(2) is NotImplemented
    assert "__eq__" not in KERAS_OPERATORS and "__ne__" not in KERAS_OPERATORS


def test_symbolic_reshape_keeps_names():
    """reshape(x, (-1, h·w, c)) with h, w, c taken from ops.shape(x): the inferred axis is the batch itself."""
    x = Spec((Unknown("batch"), 8, 8, 3))
    b, h, w, c = KERAS_OPS["shape"]([x], {})
    out = KERAS_OPS["reshape"]([x, (-1, h * w, c)], {})
    assert out.shape[0] is x.shape[0]
    assert out.values() == (None, 64, 3)

"""torch functions, tensor methods and torch.nn.functional: shapewise's tables against real torch.

Each case runs real torch on the meta device (no memory) and, when the meta run passes, again on small CPU tensors
(the CPU kernels check dtypes that meta kernels skip); shapewise must give the same shapes and dtypes, and raise
exactly when torch raises. For the classic errors the message text must be torch's own.
"""

import inspect

import pytest

torch = pytest.importorskip("torch")
F = torch.nn.functional

from shapewise.dims import Unknown
from shapewise.engine import Spec
from shapewise.errors import ShapewiseError
from shapewise.ops.torch_ops import FUNCTIONAL, TENSOR_ATTRIBUTES, TENSOR_METHODS, TORCH_FUNCTIONS, TORCH_OPERATORS

_DT = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
       "int64": torch.int64, "int32": torch.int32, "int16": torch.int16, "int8": torch.int8, "uint8": torch.uint8,
       "bool": torch.bool}


class T:
    def __init__(self, *shape, dtype="float32", fill=0):
        self.shape, self.dtype, self.fill = shape, dtype, fill

    def __repr__(self):
        return f"T{self.shape}{'' if self.dtype == 'float32' else ':' + self.dtype}"


class D:
    """A dtype argument: torch.<name> for torch, the string for shapewise."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"


def _to_torch(v, device):
    if isinstance(v, T):
        return torch.full(v.shape, v.fill, dtype=_DT[v.dtype], device=device)
    if isinstance(v, D):
        return _DT[v.name]
    if isinstance(v, list):
        return [_to_torch(x, device) for x in v]
    if isinstance(v, tuple) and any(isinstance(x, T) for x in v):
        return tuple(_to_torch(x, device) for x in v)
    return v


def _to_shapewise(v):
    if isinstance(v, T):
        return Spec(v.shape, v.dtype)
    if isinstance(v, D):
        return v.name
    if isinstance(v, list):
        return [_to_shapewise(x) for x in v]
    if isinstance(v, tuple) and any(isinstance(x, T) for x in v):
        return tuple(_to_shapewise(x) for x in v)
    return v


def _describe(out):
    if isinstance(out, Spec):
        return ("tensor", out.values(), out.dtype)
    if isinstance(out, torch.Tensor):
        return ("tensor", tuple(out.shape), str(out.dtype).replace("torch.", ""))
    if isinstance(out, torch.Size):
        return ("dims", tuple(out))
    if isinstance(out, (list, tuple)):
        if out and all(isinstance(o, (Spec, torch.Tensor)) for o in out):
            return ("seq", [_describe(o) for o in out])
        return ("dims", tuple(getattr(d, "value", d) for d in out))
    if hasattr(out, "value") and not isinstance(out, (int, float)):
        return ("scalar", out.value)
    return ("scalar", out)


def _real(kind, name, args, kwargs, device):
    a = [_to_torch(x, device) for x in args]
    k = {key: _to_torch(v, device) for key, v in kwargs.items()}
    if kind == "function":
        return getattr(torch, name)(*a, **k)
    if kind == "functional":
        return getattr(F, name)(*a, **k)
    if kind == "method":
        return getattr(a[0], name)(*a[1:], **k)
    if kind == "attribute":
        return getattr(a[0], name)
    if kind == "operator":
        return getattr(a[0], name)(*a[1:])
    raise AssertionError(kind)


TABLES = {"function": TORCH_FUNCTIONS, "functional": FUNCTIONAL, "method": TENSOR_METHODS,
          "operator": TORCH_OPERATORS}


def run_both(kind, name, args, kwargs):
    try:  # the CPU run decides (its kernels check what users meet); the meta run must then agree on the result
        real = _real(kind, name, args, kwargs, "cpu")
        real_desc, real_err = _describe(real), None
    except Exception as e:
        real_desc, real_err = None, e
    if real_err is None:
        try:
            meta_desc = _describe(_real(kind, name, args, kwargs, "meta"))
        except NotImplementedError:  # a data-dependent op (boolean masks) has no meta kernel
            meta_desc = real_desc
        except Exception as e:
            meta_desc, real_desc, real_err = None, None, e
        if real_err is None:
            assert _same_desc(meta_desc, real_desc) or meta_desc[0] == "scalar", (meta_desc, real_desc)
    try:
        if kind == "attribute":
            ours = TENSOR_ATTRIBUTES[name](_to_shapewise(args[0]))
        else:
            ours = TABLES[kind][name]([_to_shapewise(a) for a in args],
                                      {k: _to_shapewise(v) for k, v in kwargs.items()})
        ours_desc, ours_err = _describe(ours), None
    except ShapewiseError as e:
        ours_desc, ours_err = None, e
    return real_desc, real_err, ours_desc, ours_err


def check(kind, name, args, kwargs=None, same_text=False):
    real_desc, real_err, ours_desc, ours_err = run_both(kind, name, list(args), kwargs or {})
    assert ours_err is None or "unsupported arguments (" not in str(ours_err), ours_err
    if real_err is not None:
        assert ours_err is not None, f"torch raises {type(real_err).__name__}: {real_err}; shapewise gives {ours_desc}"
        if same_text:
            assert ours_err.message == str(real_err).split("\n")[0]
        return
    assert ours_err is None, f"torch gives {real_desc}; shapewise raises {ours_err}"
    if real_desc[0] == "tensor" and real_desc[1] == () and ours_desc[0] == "scalar":
        return  # a 0-dim result: torch.Size or a tensor; shapewise a number (x.numel())
    assert _same_desc(ours_desc, real_desc), (ours_desc, real_desc)


def _same_desc(ours, real):
    """Equal descriptions; an unknown size (None) of shapewise's stands for a data-dependent one (how many elements
    a boolean mask selects) and matches any size torch found in its data."""
    if ours == real:
        return True
    if ours[0] != real[0]:
        return False
    if ours[0] == "seq":
        return len(ours[1]) == len(real[1]) and all(_same_desc(a, b) for a, b in zip(ours[1], real[1]))
    if ours[0] == "tensor":
        return (ours[2] == real[2] and len(ours[1]) == len(real[1]) and
                all(a is None or a == b for a, b in zip(ours[1], real[1])))
    return False


CASES = []


def case(kind, name, *args, **kwargs):
    CASES.append((kind, name, list(args), kwargs))


def fn(name, *a, **k):
    case("function", name, *a, **k)


def meth(name, *a, **k):
    case("method", name, *a, **k)


def func(name, *a, **k):
    case("functional", name, *a, **k)


# elementwise and broadcasting
BCAST = [((2, 3), (3,)), ((2, 1), (1, 4)), ((4, 3), (2, 3)), ((), (2, 3)), ((2, 3, 4), (3, 1)), ((3,), (4,)),
         ((5, 1, 3), (4, 1)), ((2, 3, 4), (5, 4))]
for a, b in BCAST:
    for name in ("add", "mul", "sub", "div", "maximum", "eq", "lt", "pow", "where", "remainder"):
        if name == "where":
            fn(name, T(*a, dtype="bool"), T(*a), T(*b))
        else:
            fn(name, T(*a), T(*b))
    case("operator", "__add__", T(*a), T(*b))
    case("operator", "__mul__", T(*a), T(*b))
DTYPES = ["float32", "int64", "int32", "bool", "float16", "uint8", "int8", "float64", "bfloat16"]
for d1 in DTYPES:
    for d2 in ("float32", "int64", "bool", "float16", "int32"):
        fn("add", T(2, dtype=d1), T(2, dtype=d2))
        fn("div", T(2, dtype=d1), T(2, dtype=d2))
    for scalar in (1, 2.5, True):
        fn("add", T(2, dtype=d1), scalar)
        case("operator", "__mul__", T(2, dtype=d1), scalar)
        case("operator", "__rtruediv__", T(2, dtype=d1), scalar)
    fn("add", T(2, dtype=d1), T(dtype="float64"))
    fn("add", T(2, dtype=d1), T(dtype="int64"))
    for name in ("sqrt", "exp", "abs", "sigmoid", "tanh", "floor", "neg", "logical_not", "isnan", "sign"):
        fn(name, T(2, 3, dtype=d1))
    for name in ("relu", "gelu", "silu", "leaky_relu", "elu", "hardtanh", "softplus", "mish"):
        func(name, T(2, 3, dtype=d1))
    for name in ("float", "long", "half", "bool", "int", "double", "contiguous", "detach", "clone"):
        meth(name, T(2, 3, dtype=d1))
    meth("sum", T(2, 3, dtype=d1))
    meth("sum", T(2, 3, dtype=d1), dim=1)
    meth("mean", T(2, 3, dtype=d1))
    meth("cumsum", T(2, 3, dtype=d1), 1)
    meth("to", T(2, 3, dtype=d1), D("float16"))
    meth("type_as", T(2, 3, dtype=d1), T(1, dtype="int64"))
    func("softmax", T(2, 3, dtype=d1), dim=-1)
fn("clamp", T(2, 3), min=0)
fn("clamp", T(2, 3, dtype="int64"), 0, 1.5)
fn("clamp", T(2, 3))
meth("masked_fill", T(2, 3, 4), T(3, 4, dtype="bool"), 0.0)
meth("masked_fill", T(2, 3, 4), T(2, 3, 4, dtype="bool"), float("-inf"))
meth("masked_fill", T(2, 3, 4), T(5, 4, dtype="bool"), 0.0)
meth("masked_fill", T(2, 3, 4), T(3, 4, dtype="int64"), 0.0)
meth("masked_fill", T(1, 4), T(3, 4, dtype="bool"), 0.0)

# matrix products
MATMUL = [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)), ((5, 2, 3), (3, 4)), ((5, 2, 3), (5, 3, 4)),
          ((5, 2, 3), (1, 3, 4)), ((2, 3), (4, 5)), ((7, 2, 3), (5, 3, 4)), ((4, 400), (256, 120)),
          ((2, 4, 400), (256, 120)), ((2, 3, 4), (5,)), ((5,), (2, 3, 4)), ((3,), (2, 3, 4)), ((4,), (5,)),
          ((6, 4), (5,)), ((4,), (5, 2)), ((2, 1, 3, 4), (6, 4, 2)), ((2, 2, 3, 4), (3, 5, 6))]
for a, b in MATMUL:
    fn("matmul", T(*a), T(*b))
    case("operator", "__matmul__", T(*a), T(*b))
fn("matmul", T(2, 3), T(3, 4, dtype="float64"))
for a, b in [((2, 3, 4), (2, 4, 5)), ((2, 3, 4), (3, 4, 5)), ((2, 3, 4), (2, 5, 6)), ((3, 4), (4, 5)),
             ((2, 3, 4), (2, 4))]:
    fn("bmm", T(*a), T(*b))
for a, b in [((2, 3), (3, 4)), ((2, 3), (4, 5)), ((2, 3, 4), (4, 5)), ((3,), (3, 4))]:
    fn("mm", T(*a), T(*b))
for eq, shapes in [("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]), ("ii->i", [(3, 3)]),
                   ("ij->", [(2, 3)]), ("ij,jk", [(2, 3), (3, 4)]), ("...ij,...jk->...ik", [(7, 2, 3), (7, 3, 4)]),
                   ("bhqd,bhkd->bhqk", [(2, 4, 5, 8), (2, 4, 6, 8)]), ("ij,jk->ik", [(2, 3), (4, 5)]),
                   ("i,i->", [(3,), (3,)]), ("ij->ji", [(2, 3)]), ("ij,jk->ik", [(2, 1), (3, 4)]),
                   ("ij,jk->ik", [(2, 3), (3,)])]:
    fn("einsum", eq, *[T(*s) for s in shapes])
fn("outer", T(3), T(4))

# views and reshapes
RESHAPE = [((2, 3, 4), (6, 4)), ((2, 3, 4), (-1, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (5, -1)), ((2, 3, 4), (-1, -1)),
           ((2, 3, 4), (24,)), ((2, 3, 4), (25,)), ((2, 3, 4), (2, -2, 12)), ((), (1, 1)), ((4,), (2, 2)),
           ((10, 100), (-1, 400)), ((4, 16, 5, 5), (-1, 400)), ((4, 16, 5, 5), (-1, 16 * 4 * 4)), ((2, 3, 4), (0, -1)),
           ((0, 3), (0, -1)), ((0, 3), (-1, 3)), ((2, 3, 4), ())]
for a, b in RESHAPE:
    meth("view", T(*a), *b)
    meth("reshape", T(*a), b)
    fn("reshape", T(*a), b)
meth("view", T(2, 3), D("int32"))
meth("view_as", T(2, 3), T(3, 2))
meth("view_as", T(2, 3), T(3, 3))
for s, e in [(0, -1), (1, -1), (1, 2), (2, 1), (0, 0), (-2, -1), (0, 3)]:
    fn("flatten", T(2, 3, 4), s, e)
    meth("flatten", T(2, 3, 4), start_dim=s, end_dim=e)
fn("flatten", T())
for d, sizes in [(1, (3, 4)), (1, (-1, 4)), (-1, (2, 2)), (1, (5, -1)), (0, (2, 1))]:
    fn("unflatten", T(2, 12, 4), d, sizes)
for dims in [(0, 2, 1), (2, 0, 1), (0, 1), (0, 0, 1), (0, 1, 3), (-1, 0, 1)]:
    meth("permute", T(2, 3, 4), *dims)
    fn("permute", T(2, 3, 4), dims)
for d0, d1 in [(0, 1), (-1, -2), (0, 3), (1, 1)]:
    meth("transpose", T(2, 3, 4), d0, d1)
    fn("swapaxes", T(2, 3, 4), d0, d1)
for shape in [(2, 3), (3,), (2, 3, 4), ()]:
    meth("t", T(*shape))
    case("attribute", "T", T(*shape))
    case("attribute", "mT", T(*shape))
    case("attribute", "shape", T(*shape))
    case("attribute", "ndim", T(*shape))
for d in [0, 1, -1, 3, 4, -4, -5]:
    meth("unsqueeze", T(2, 3, 4), d)
for shape, d in [((1, 3, 1), None), ((1, 3, 1), 0), ((1, 3, 1), -1), ((1, 3, 1), 1), ((1, 3, 1), (0, 2)),
                 ((1, 3, 1), 3), ((), 0), ((2, 3), None)]:
    if d is None:
        meth("squeeze", T(*shape))
    else:
        meth("squeeze", T(*shape), d)
for shape, sizes in [((3, 1), (3, 4)), ((3, 1), (-1, 4)), ((3, 1), (2, 3, 4)), ((3, 1), (2, -1, 4)),
                     ((2, 3), (3, 3)), ((3,), (2, 3)), ((3, 1), (4,)), ((1,), (-1, 5))]:
    meth("expand", T(*shape), *sizes)
meth("expand", T(3, 1), (3, 5))
meth("expand_as", T(3, 1), T(3, 5))
for reps in [(2,), (2, 3), (1, 2, 3), (2, 1, 1, 1)]:
    meth("repeat", T(2, 3), *reps)
    fn("tile", T(2, 3), reps)
for r, d in [(2, None), (2, 0), (3, -1)]:
    fn("repeat_interleave", T(2, 3), r, d)
fn("broadcast_to", T(3, 1), (2, 3, 4))
fn("broadcast_to", T(3, 2), (3, 4))
for name in ("tril", "triu"):
    fn(name, T(4, 4))
    fn(name, T(2, 3, 3), 1)
    fn(name, T(3))
fn("narrow", T(5, 4), 0, 1, 3)
fn("narrow", T(5, 4), 0, 3, 3)
fn("select", T(5, 4), 1, 2)
fn("select", T(5, 4), 1, 4)
fn("unbind", T(3, 4), 1)
fn("flip", T(2, 3), (0,))
fn("roll", T(2, 3), 1, 1)

# joining and splitting
for shapes, d in [([(2, 3), (2, 4)], 1), ([(2, 3), (5, 3)], 0), ([(2, 3), (2, 4)], 0), ([(2, 3), (2, 3, 1)], 0),
                  ([(2, 3)], 0), ([(2, 3), (2, 3)], 2), ([(4, 64, 16, 16), (4, 64, 17, 17)], 1), ([(2, 3), (0,)], 0),
                  ([(2, 3), (2, 3)], -1)]:
    fn("cat", [T(*s) for s in shapes], d)
    fn("concat", [T(*s) for s in shapes], dim=d)
fn("cat", [T(2, 3), T(2, 3, dtype="int64")], 0)
fn("cat", [T(2, 3), T(2, 3, dtype="float16")], 0)
fn("cat", (T(2, 3), T(2, 3)))
for shapes, d in [([(2, 3), (2, 3)], 0), ([(2, 3), (2, 3)], -1), ([(2, 3), (2, 4)], 0), ([(2, 3)] * 3, 1),
                  ([(2, 3), (2, 3)], 3)]:
    fn("stack", [T(*s) for s in shapes], d)
for sizes, d in [(2, 0), (4, 0), ([1, 5], 0), ([1, 2], 0), ([2, 2], 1), (3, -1), (10, 0)]:
    fn("split", T(6, 4), sizes, d)
    meth("split", T(6, 4), sizes, d)
for n, d in [(2, 0), (4, 0), (3, 1), (7, 0), (5, 0)]:
    meth("chunk", T(6, 4), n, d)
    fn("chunk", T(6, 4), n, dim=d)

# reductions
for name in ("sum", "mean", "amax", "amin", "std", "var", "logsumexp", "all", "any", "prod"):
    for d in [0, -1, (0, 2), (1, -1), 3, (0, 0)]:
        for kd in (False, True):
            if name == "prod" and isinstance(d, tuple):
                continue
            meth(name, T(2, 3, 4), d, keepdim=kd)
for name in ("max", "min", "argmax", "argmin"):
    for d in [None, 0, -1, 3]:
        for kd in (False, True):
            if d is None:
                meth(name, T(2, 3, 4))
            else:
                meth(name, T(2, 3, 4), dim=d, keepdim=kd)
    fn(name, T(2, 3, 4), 1)
    meth(name, T(), 0)
fn("max", T(2, 3), T(3))
fn("sum", T(2, 3), dim=1, dtype=D("float64"))
fn("sum", T(2, 3), axis=1)
fn("mean", T(2, 3), dim=(0, 1), keepdim=True)
for k, d in [(2, -1), (3, 0), (5, -1), (0, 1)]:
    fn("topk", T(3, 4), k, d)
fn("sort", T(3, 4))
fn("argsort", T(3, 4), dim=0)
for name in ("softmax", "log_softmax"):
    fn(name, T(2, 3), 1)
    meth(name, T(2, 3), -1)
    meth(name, T(2, 3), 2)
    func(name, T(2, 3), dim=0)
    func(name, T(2, 3, dtype="int64"), dim=0, dtype=D("float32"))

# gathering and indexing
fn("gather", T(3, 4), 1, T(3, 2, dtype="int64"))
fn("gather", T(3, 4), 1, T(3, 2, dtype="int32"))
fn("gather", T(3, 4), 1, T(4, 2, dtype="int64"))
fn("gather", T(3, 4), 1, T(3, dtype="int64"))
fn("index_select", T(3, 4), 0, T(5, dtype="int64"))
fn("index_select", T(3, 4), 1, T(2, dtype="int64"))
fn("index_select", T(3, 4), 1, T(2, 2, dtype="int64"))
KEYS = [0, -1, 5, slice(None), slice(1, None), slice(None, None, 2), slice(-2, None), (slice(None), 0),
        (Ellipsis, None), (slice(None), -1, slice(None)), (None, 0), (0, 0, 0, 0), (Ellipsis, 0),
        (Ellipsis, Ellipsis), (slice(None), slice(1, 3)), (0, slice(None), 3), (slice(None), slice(10, None)),
        T(2, dtype="int64"), (slice(None), T(2, 2, dtype="int64")), (T(2, dtype="int64"), T(2, dtype="int64")),
        (T(2, dtype="int64"), slice(None), T(2, dtype="int64")), (T(2, dtype="int64"), T(3, dtype="int64")),
        (slice(None), T(5, 4, dtype="bool")), [0, 2], (slice(None), [1, 2, 3]), (None, Ellipsis, None),
        True, T(2, dtype="float32")]
for key in KEYS:
    case("operator", "__getitem__", T(3, 5, 4), key)

# creation
for name in ("zeros", "ones", "empty", "rand", "randn"):
    fn(name, 2, 3)
    fn(name, (2, 3))
    fn(name, [4])
    fn(name, 2, 3, dtype=D("float16"))
    fn(name, ())
fn("zeros", 2, -1)
fn("full", (2, 3), 1.5)
fn("full", (2, 3), 7)
fn("full", (2, 3), True)
fn("full", (2, 3), 7, dtype=D("float32"))
for name in ("zeros_like", "ones_like", "empty_like", "rand_like", "randn_like"):
    fn(name, T(2, 3, dtype="float16"))
    fn(name, T(2, 3), dtype=D("int64"))
fn("full_like", T(2, 3), 2)
fn("randint", 10, (2, 3))
fn("randint", 2, 10, (4,))
fn("randint", 5, 3, (4,))
fn("randint", 0, 10, (2, 3), dtype=D("int32"))
for a in [(5,), (2, 7), (0, 10, 3), (1.0, 2.0, 0.5), (3, 1), (0, 5, 2), (5, 0, -1), (0, 1, 0)]:
    fn("arange", *a)
fn("arange", 4, dtype=D("float32"))
fn("eye", 3)
fn("eye", 3, 4)
fn("linspace", 0, 1, 5)
for data in ([1, 2, 3], [[1.0, 2.0], [3.0, 4.0]], 3, 2.5, True, [[1, 2], [3]], [True, False], []):
    fn("tensor", data)
fn("tensor", [1, 2], dtype=D("float32"))
meth("new_zeros", T(2, dtype="float16"), 3, 4)
meth("new_ones", T(2, dtype="float16"), (3, 4))
meth("new_full", T(2, dtype="int64"), (3,), 1.5)

# size queries
meth("size", T(2, 3, 4))
meth("size", T(2, 3, 4), 1)
meth("size", T(2, 3, 4), -1)
meth("size", T(2, 3, 4), 3)
meth("dim", T(2, 3, 4))
meth("numel", T(2, 3, 4))

# torch.nn.functional
for x, w, b in [((4, 400), (120, 400), (120,)), ((4, 400), (120, 256), None), ((2, 4, 400), (120, 256), None),
                ((400,), (120, 256), None), ((2, 7, 16), (8, 16), (8,)), ((4, 256), (120, 256), (100,)),
                ((4, 16), (16,), None), ((4, 16), (8, 16), (1,))]:
    func("linear", T(*x), T(*w), None if b is None else T(*b))
func("linear", T(4, 16, dtype="float64"), T(8, 16))
CONV = [((1, 3, 32, 32), (6, 3, 5, 5), {}), ((1, 3, 32, 32), (6, 1, 5, 5), {}), ((1, 1, 32, 32), (6, 3, 5, 5), {}),
        ((3, 32, 32), (6, 3, 5, 5), {}), ((3, 32), (6, 3, 5, 5), {}), ((1, 3, 3, 3), (6, 3, 5, 5), {}),
        ((1, 3, 32, 32), (6, 3, 3, 3), {"padding": 1}), ((1, 3, 32, 32), (6, 3, 3, 3), {"padding": "same"}),
        ((1, 3, 32, 32), (6, 3, 3, 3), {"padding": "valid"}), ((1, 3, 32, 32), (6, 3, 3, 3), {"stride": 2}),
        ((1, 3, 32, 32), (6, 3, 3, 3), {"stride": 2, "padding": "same"}),
        ((1, 4, 32, 32), (8, 2, 3, 3), {"groups": 2}), ((1, 4, 32, 32), (6, 2, 5, 5), {"groups": 3}),
        ((1, 3, 32, 32), (6, 3, 3, 3), {"dilation": 2}), ((1, 3, 32, 32), (6, 3, 3, 3), {"stride": (1, 2),
                                                                                         "padding": (0, 1)}),
        ((1, 3, 32, 32), (6, 3, 3, 3), {"bias": T(6)}), ((1, 3, 32, 32), (6, 3, 3, 3), {"bias": T(5)})]
for x, w, kw in CONV:
    func("conv2d", T(*x), T(*w), **kw)
for x, w, kw in [((2, 4, 50), (8, 4, 3), {}), ((2, 4, 50), (8, 4, 3), {"stride": 2, "padding": 1}),
                 ((4, 50), (8, 4, 3), {}), ((2, 4, 50), (8, 2, 3), {})]:
    func("conv1d", T(*x), T(*w), **kw)
func("conv3d", T(1, 2, 8, 8, 8), T(4, 2, 3, 3, 3), padding=1)
func("conv2d", T(1, 3, 8, 8, dtype="float64"), T(6, 3, 3, 3))
for x, w, kw in [((1, 16, 5, 5), (16, 6, 3, 3), {"stride": 2, "output_padding": 1}), ((1, 16, 5, 5), (16, 6, 2, 2),
                 {"stride": 2}), ((1, 16, 5, 5), (8, 6, 2, 2), {}), ((1, 16, 5, 5), (16, 6, 3, 3), {"padding": 1}),
                 ((1, 16, 5, 5), (16, 6, 3, 3), {"output_padding": 1}), ((1, 16, 5, 5), (16, 3, 3, 3),
                 {"groups": 2})]:
    func("conv_transpose2d", T(*x), T(*w), **kw)
func("conv_transpose1d", T(2, 4, 10), T(4, 3, 3), stride=2)
for x, args, kw in [((1, 6, 28, 28), (2,), {}), ((1, 6, 28, 28), (2, 2), {}), ((1, 6, 28, 28), (3,), {"stride": 2}),
                    ((1, 6, 5, 5), (2,), {"ceil_mode": True}), ((1, 3, 1, 1), (2,), {}), ((1, 3, 4, 4), (2,),
                    {"padding": 2}), ((1, 3, 7, 7), (3,), {"stride": 2, "padding": 1}), ((6, 28, 28), (2,), {}),
                    ((1, 6, 28, 28), ((2, 3),), {}), ((28, 28), (2,), {}), ((1, 3, 5, 5), (2,),
                    {"stride": 2, "ceil_mode": True, "padding": 1})]:
    func("max_pool2d", T(*x), *args, **kw)
    func("avg_pool2d", T(*x), *args, **kw)
func("max_pool2d", T(1, 3, 8, 8), 2, return_indices=True)
func("max_pool2d", T(1, 3, 8, 8), 3, dilation=2)
func("max_pool1d", T(2, 4, 10), 2)
func("avg_pool1d", T(2, 4, 10), 3, stride=1)
func("max_pool3d", T(1, 2, 8, 8, 8), 2)
for size in [(1, 1), 1, (7, 7), (None, 3), 3]:
    func("adaptive_avg_pool2d", T(1, 16, 5, 5), size)
    func("adaptive_max_pool2d", T(1, 16, 5, 5), size)
func("adaptive_avg_pool1d", T(2, 4, 10), 5)
func("adaptive_avg_pool2d", T(16, 5), 1)
for kw in [{"scale_factor": 2}, {"scale_factor": 1.5}, {"size": (3, 4)}, {"size": 8}, {"scale_factor": (2, 3)},
           {"size": (3, 4, 5)}, {}, {"scale_factor": 2, "mode": "bilinear", "align_corners": False},
           {"scale_factor": 0.5}]:
    func("interpolate", T(1, 3, 7, 7), **kw)
func("interpolate", T(1, 3, 7), size=(3, 4))
for pad in [(1, 2), (1, 1, 2, 2), (1, 2, 3), (0, 0, 0, 0, 1, 1), (1, 1, 1, 1, 1, 1, 1, 1), (-1, -1), (-3, -3)]:
    func("pad", T(2, 3, 4), pad)
func("pad", T(2, 3, 4), (1, 1), mode="reflect")
for shape, norm in [((2, 5, 8), (8,)), ((2, 5, 8), (7,)), ((2, 5, 8), (5, 8)), ((2, 5, 8), (2, 5, 8, 1))]:
    func("layer_norm", T(*shape), norm)
func("layer_norm", T(2, 5, 8), (8,), T(8), T(8))
func("layer_norm", T(2, 5, 8), (8,), T(7))
func("group_norm", T(2, 6, 4), 3)
func("group_norm", T(2, 6, 4), 4)
func("batch_norm", T(2, 6, 4), T(6), T(6))
func("batch_norm", T(2, 6, 4), T(5), T(5))
for p in (0.5, 0.0, 1.5):
    func("dropout", T(2, 3), p)
func("dropout", T(2, 3), training=False)
func("dropout2d", T(2, 3, 4, 4), 0.2)
func("embedding", T(2, 3, dtype="int64"), T(10, 4))
func("embedding", T(2, 3, dtype="int32"), T(10, 4))
func("embedding", T(2, 3), T(10, 4))
func("one_hot", T(2, 3, dtype="int64"), 5)
func("one_hot", T(2, 3, dtype="int32"), 5)
func("one_hot", T(2, 3), 5)
for q, k, v in [((2, 4, 5, 8), (2, 4, 6, 8), (2, 4, 6, 16)), ((2, 5, 8), (2, 6, 8), (2, 6, 8)),
                ((2, 4, 5, 8), (2, 4, 6, 7), (2, 4, 6, 8)), ((2, 4, 5, 8), (2, 4, 6, 8), (2, 4, 7, 8))]:
    func("scaled_dot_product_attention", T(*q), T(*k), T(*v))
func("scaled_dot_product_attention", T(2, 4, 5, 8), T(2, 4, 5, 8), T(2, 4, 5, 8), is_causal=True)
func("scaled_dot_product_attention", T(2, 4, 5, 8), T(2, 4, 6, 8), T(2, 4, 6, 8), attn_mask=T(5, 6, dtype="bool"))
for x, t in [((4, 10), (4,)), ((4, 10), (5,)), ((4, 10, 7), (4, 7)), ((4, 10), (4, 10)), ((10,), ())]:
    func("cross_entropy", T(*x), T(*t, dtype="int64" if len(t) != len(x) else "float32"))
func("cross_entropy", T(4, 10), T(4, 10), reduction="none")
func("cross_entropy", T(4, 10, 7), T(4, 7, dtype="int64"), reduction="none")
func("cross_entropy", T(4, 10), T(4, dtype="int32"))
func("nll_loss", T(4, 10), T(4, dtype="int64"))
for a, b in [((4, 10), (4, 10)), ((4, 10), (10,)), ((4, 10), (4, 1))]:
    func("mse_loss", T(*a), T(*b), reduction="none")
    func("l1_loss", T(*a), T(*b))
func("binary_cross_entropy_with_logits", T(4, 1), T(4, 1))
func("glu", T(2, 6))
func("glu", T(2, 5))
func("normalize", T(2, 6))
func("pixel_shuffle", T(1, 8, 3, 3), 2)
func("pixel_shuffle", T(1, 6, 3, 3), 2)
func("pixel_unshuffle", T(1, 2, 6, 6), 3)
func("cosine_similarity", T(4, 8), T(4, 8))
func("pairwise_distance", T(4, 8), T(4, 8))
func("unfold", T(1, 3, 8, 8), 3)
func("unfold", T(1, 3, 8, 8), 2, stride=2)
func("prelu", T(2, 3, 4), T(3))
func("prelu", T(2, 3, 4), T(1))
func("threshold", T(2, 3), 0.5, 0.0)


def _id(c):
    kind, name, args, kwargs = c
    text = f"{kind[0]}-{name}-{'-'.join(map(repr, args))}" + (f"-{kwargs}" if kwargs else "")
    return text.replace(" ", "")[:110]


@pytest.mark.parametrize("kind,name,args,kwargs", CASES, ids=[_id(c) for c in CASES])
def test_matches_torch(kind, name, args, kwargs):
    check(kind, name, args, kwargs)


# The classic errors, word for word as torch (CPU) prints them.
CLASSIC = [
    ("functional", "linear", [T(4, 400), T(120, 256)], {}),
    ("functional", "linear", [T(2, 4, 400), T(120, 256)], {}),
    ("function", "matmul", [T(4, 400), T(256, 120)], {}),
    ("method", "view", [T(10, 100), -1, 400], {}),
    ("method", "view", [T(4, 16, 5, 5), -1, 256], {}),
    ("method", "view", [T(2, 3, 4), 2, -1, -1], {}),
    ("method", "reshape", [T(2, 3, 4), 5, -1], {}),
    ("function", "add", [T(3, 4), T(5, 4)], {}),
    ("function", "add", [T(2, 3, 4), T(5, 4)], {}),
    ("function", "cat", [[T(4, 64, 16, 16), T(4, 64, 17, 17)], 1], {}),
    ("function", "stack", [[T(2, 3), T(2, 4)]], {}),
    ("functional", "conv2d", [T(1, 1, 32, 32), T(6, 3, 5, 5)], {}),
    ("functional", "conv2d", [T(1, 3, 3, 3), T(6, 3, 5, 5)], {}),
    ("functional", "conv2d", [T(3, 32), T(6, 3, 5, 5)], {}),
    ("functional", "max_pool2d", [T(1, 3, 1, 1), 2], {}),
    ("functional", "embedding", [T(2, 3), T(10, 4)], {}),
    ("functional", "layer_norm", [T(2, 5, 8), (7,)], {}),
    ("method", "transpose", [T(3, 4), 0, 2], {}),
    ("method", "sum", [T(3, 4), 5], {}),
    ("method", "permute", [T(2, 3), 0, 0], {}),
    ("method", "expand", [T(2, 3), 3, 3], {}),
    ("function", "bmm", [T(2, 3, 4), T(3, 4, 5)], {}),
    ("function", "matmul", [T(2, 3, 4), T(5)], {}),
    ("functional", "cross_entropy", [T(4, 10), T(5, dtype="int64")], {}),
    ("operator", "__getitem__", [T(2, 3), 5], {}),
    ("operator", "__getitem__", [T(2, 3), (0, 0, 0)], {}),
]


@pytest.mark.parametrize("kind,name,args,kwargs", CLASSIC, ids=[_id(c) for c in CLASSIC])
def test_classic_errors_word_for_word(kind, name, args, kwargs):
    check(kind, name, args, kwargs, same_text=True)
    _, real_err, _, _ = run_both(kind, name, args, kwargs)
    assert real_err is not None  # (each case is an error in torch)


def test_linear_error_has_a_fix():
    with pytest.raises(ShapewiseError) as info:
        FUNCTIONAL["linear"]([Spec((4, 400)), Spec((120, 256))], {})
    assert "400" in info.value.fix and info.value.expected


def test_view_with_symbolic_sizes():
    """x.view(x.size(0), -1): the batch axis is the input's own Dim, the rest its product."""
    x = Spec((Unknown("batch"), 16, 5, 5))
    out = TENSOR_METHODS["view"]([x, TENSOR_METHODS["size"]([x, 0], {}), -1], {})
    assert out.shape[0] is x.shape[0]
    assert out.values() == (None, 400)


def test_functional_signatures_match_torch():
    """Where torch.nn.functional has a Python signature, the table's parameters are torch's, in order."""
    checked = 0
    for name, entry in FUNCTIONAL.items():
        real = getattr(F, name)
        try:
            params = [p.name for p in inspect.signature(real).parameters.values()
                      if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        except (TypeError, ValueError):
            continue
        if not params:  # (*args, **kwargs) wrappers such as max_pool2d
            continue
        assert params == entry.signature.names(), name
        checked += 1
    assert checked >= 30


def test_every_name_exists_in_torch():
    x = torch.zeros(1, 1)  # (x.mT raises on a 1-D tensor, even for hasattr)
    for name in TORCH_FUNCTIONS:
        assert hasattr(torch, name), name
    for name in TENSOR_METHODS:
        assert hasattr(x, name), name
    for name in FUNCTIONAL:
        assert hasattr(F, name), name
    for name in TORCH_OPERATORS:
        assert hasattr(x, name), name
    for name in TENSOR_ATTRIBUTES:
        assert hasattr(x, name), name


MORE = []


def more(kind, name, *args, **kwargs):
    MORE.append((kind, name, list(args), kwargs))


for shape, args in [((2, 10), (1, 3, 2)), ((2, 10), (1, 3, 3)), ((2, 10), (0, 2, 1)), ((2, 10), (1, 11, 1)),
                    ((2, 10), (-1, 4, 4))]:
    more("method", "unfold", T(*shape), *args)
more("function", "addmm", T(4), T(2, 3), T(3, 4))
more("function", "addmm", T(5), T(2, 3), T(3, 4))
more("function", "baddbmm", T(2, 3, 4), T(2, 3, 5), T(2, 5, 4))
for d, kd in [(None, False), (-1, True), ((0, 1), False)]:
    more("method", "norm", T(3, 4), dim=d, keepdim=kd)
more("method", "norm", T(3, 4, dtype="int64"))
more("function", "view_as_complex", T(3, 4, 2))
more("function", "view_as_complex", T(3, 4, 3))
more("function", "multinomial", T(2, 5, fill=1), 3)  # (probabilities: the data must be a distribution)
more("function", "multinomial", T(2, 5, fill=1), 6)
more("function", "multinomial", T(5, fill=1), 6, replacement=True)
more("function", "meshgrid", T(3), T(4), indexing="ij")
more("function", "meshgrid", T(3), T(4), indexing="xy")
more("function", "cdist", T(2, 5, 3), T(2, 6, 3))
more("function", "cdist", T(5, 3), T(6, 4))
more("method", "__len__", T(3, 4))
more("method", "normal_", T(3, 4))
more("method", "fill_", T(3, 4), 1.0)


@pytest.mark.parametrize("kind,name,args,kwargs", MORE, ids=[_id(c) for c in MORE])
def test_more_match_torch(kind, name, args, kwargs):
    check(kind, name, args, kwargs)


def test_max_with_dim_reads_values_and_indices():
    """x.max(dim) is torch.return_types.max: a (values, indices) tuple with .values and .indices."""
    real = torch.zeros(2, 3, 4, device="meta").max(dim=1)
    ours = TENSOR_METHODS["max"]([Spec((2, 3, 4))], {"dim": 1})
    values, indices = ours
    assert ours.values is values and ours.indices is indices
    assert values.values() == tuple(real.values.shape) and indices.dtype == "int64"
    top = TORCH_FUNCTIONS["topk"]([Spec((2, 5)), 3], {})
    assert top.indices.values() == tuple(torch.zeros(2, 5).topk(3).indices.shape)


# --------------------------------------------------------------------------------------------------------------
# Random cases against torch (meta), and the same rule on named dims

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shapewise.dims import Known, Named

_small = st.integers(1, 5)
_shape = st.lists(_small, min_size=1, max_size=4).map(tuple)


def _named(shape, dtype="float32"):
    return Spec(tuple(Named(f"d{i}", Known(v)) for i, v in enumerate(shape)), dtype)


def _agree(kind, name, args, kwargs):
    """torch (meta), shapewise on plain sizes and shapewise on named dims: all three agree."""
    meta = [torch.zeros(a.shape, device="meta") if isinstance(a, T) else a for a in args]
    try:
        if kind == "method":
            real = getattr(meta[0], name)(*meta[1:], **kwargs)
        else:
            real = getattr(torch, name)(*meta, **kwargs)
        want = [tuple(t.shape) for t in (real if isinstance(real, (tuple, list)) else [real])]
    except (RuntimeError, IndexError, ValueError, TypeError):
        want = None
    for make in (lambda a: Spec(a.shape, a.dtype), lambda a: _named(a.shape, a.dtype)):
        ours_args = [make(a) if isinstance(a, T) else a for a in args]
        table = TENSOR_METHODS if kind == "method" else TORCH_FUNCTIONS
        try:
            out = table[name](ours_args, kwargs)
            got = [o.values() for o in (out if isinstance(out, (tuple, list)) else [out])]
        except ShapewiseError as e:
            assert "unsupported arguments (" not in e.message
            got = None
        assert got == want, (name, args, kwargs)


@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shape, st.lists(st.integers(-1, 12), min_size=1, max_size=4))
def test_random_view_against_torch(shape, target):
    _agree("method", "reshape", [T(*shape), tuple(target)], {})


@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shape, st.data())
def test_random_axis_ops_against_torch(shape, data):
    n = len(shape)
    dim = data.draw(st.integers(-n - 1, n))
    _agree("method", "unsqueeze", [T(*shape), dim], {})
    _agree("method", "sum", [T(*shape), dim], {"keepdim": data.draw(st.booleans())})
    _agree("method", "transpose", [T(*shape), dim, data.draw(st.integers(-n, n - 1))], {})
    _agree("method", "flatten", [T(*shape), data.draw(st.integers(-n, n - 1)), dim], {})
    _agree("method", "chunk", [T(*shape), data.draw(st.integers(1, 6)), dim], {})
    _agree("method", "split", [T(*shape), data.draw(st.integers(1, 6)), dim], {})
    other = tuple(data.draw(st.sampled_from([v, 1, v + 1])) for v in shape)
    _agree("function", "cat", [[T(*shape), T(*other)], dim], {})
    _agree("function", "add", [T(*shape), T(*other[data.draw(st.integers(0, n)):])], {})


@settings(max_examples=120, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_shape, _shape)
def test_random_matmul_against_torch(a, b):
    _agree("function", "matmul", [T(*a), T(*b)], {})
    _agree("function", "matmul", [T(*a), T(*(a[-1:] + b[1:]))], {})


EXTRA = []
for args in [(T(3), T(3)), (T(3), T(4)), (T(2, 3), T(3))]:
    EXTRA.append(("function", "dot", list(args), {}))
    EXTRA.append(("function", "mv", list(args), {}))
EXTRA += [("method", "flip", [T(2, 3), 0, 1], {}), ("method", "flip", [T(2, 3), 0], {}),
          ("method", "flip", [T(2, 3), (0, 1)], {}), ("method", "tile", [T(2, 3), 2, 2], {}),
          ("method", "tile", [T(2, 3), (2,)], {}), ("function", "bernoulli", [T(2, 3, fill=0.5)], {}),
          ("function", "randperm", [5], {}), ("function", "nan_to_num", [T(2, 3)], {}),
          ("function", "polar", [T(2, 3), T(3)], {}), ("function", "median", [T(2, 3)], {}),
          ("function", "median", [T(2, 3), 1], {}), ("method", "median", [T(2, 3)], {"dim": 0, "keepdim": True}),
          ("functional", "local_response_norm", [T(2, 6, 4, 4), 3], {}),
          ("functional", "local_response_norm", [T(2, 6), 3], {}),
          ("functional", "gumbel_softmax", [T(2, 6)], {}),
          ("functional", "fold", [T(1, 12, 9), (4, 4), 2], {}), ("functional", "fold", [T(1, 12, 8), (4, 4), 2], {}),
          ("functional", "fold", [T(1, 12, 4), (4, 4), 2], {"stride": 2})]


@pytest.mark.parametrize("kind,name,args,kwargs", EXTRA, ids=[_id(c) for c in EXTRA])
def test_extra_match_torch(kind, name, args, kwargs):
    check(kind, name, args, kwargs)


# matrix_exp, the spatial transformer pair (affine_grid, grid_sample) and sparse COO tensors: shapes, dtypes and the
# errors torch raises (text compared where shapewise words it as torch does)
CORPUS_OPS = [
    ("function", "matrix_exp", [T(2, 3, 3)], {}, True), ("function", "matrix_exp", [T(3, 4)], {}, True),
    ("function", "matrix_exp", [T(3)], {}, True), ("function", "matrix_exp", [T(3, 3, dtype="int64")], {}, True),
    ("function", "matrix_exp", [T(0, 0)], {}, True), ("method", "matrix_exp", [T(2, 2, 2, dtype="float64")], {}, True),
    ("functional", "affine_grid", [T(4, 2, 3), (4, 1, 28, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3), [4, 3, 7, 9]], {"align_corners": False}, False),
    ("functional", "affine_grid", [T(4, 3, 4), (4, 1, 5, 6, 7)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3), (5, 1, 28, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 3, 3), (4, 1, 28, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3), (4, 1, 5, 6, 7)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3), (4, 1, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3, dtype="int64"), (4, 1, 28, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3), (4, 1, 0, 28)], {"align_corners": False}, True),
    ("functional", "affine_grid", [T(4, 2, 3, dtype="float64"), (4, 1, 1, 28)], {"align_corners": True}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 2)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(3, 5, 6, 2)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 3)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 4, 10, 10), T(4, 2, 5, 6, 3)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 4, 10, 10), T(4, 5, 6, 2)], {"align_corners": False}, False),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 2)], {"mode": "bicubic", "align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 4, 10, 10), T(4, 2, 5, 6, 3)], {"mode": "bicubic", "align_corners": False},
     True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 2)], {"mode": "foo"}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 2)], {"padding_mode": "foo"}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10), T(4, 5, 6, 2, dtype="float64")], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10, dtype="float64"), T(4, 5, 6, 2, dtype="float64")],
     {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 10, 10, dtype="int64"), T(4, 5, 6, 2, dtype="int64")],
     {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 0, 10, 10), T(4, 5, 6, 2)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(4, 3, 0, 10), T(4, 5, 6, 2)], {"align_corners": False}, True),
    ("functional", "grid_sample", [T(3, 10, 10), T(5, 6, 2)], {"align_corners": False}, False),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(5), (3, 3)], {}, True),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(5, 4), (3, 3, 4)], {}, True),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(5), (3, 3, 3)], {}, True),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(6), (3, 3)], {}, True),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(5, 4), (3, 3, 5)], {}, True),
    ("function", "sparse_coo_tensor", [T(3, 2, 5, dtype="int64"), T(5), (3, 3, 5)], {}, True),
    ("function", "sparse_coo_tensor", [T(2, 5, dtype="int64"), T(5), (3, 3)], {"dtype": D("float64")}, True),
    ("function", "sparse_coo_tensor", [[[0, 1], [1, 0]], [1.0, 2.0], (3, 3)], {}, True),
    ("function", "spmm", [T(3, 3), T(3, 4)], {}, True), ("function", "spmm", [T(3, 3), T(4, 4)], {}, False),
]


@pytest.mark.parametrize("kind,name,args,kwargs,same_text", CORPUS_OPS, ids=[_id(c[:4]) for c in CORPUS_OPS])
def test_corpus_ops_match_torch(kind, name, args, kwargs, same_text):
    check(kind, name, args, kwargs, same_text=same_text)


def test_sparse_coo_tensor_without_size_is_refused():
    """Without a size torch takes the shape from the indices' values: shapewise says so instead of guessing."""
    real = torch.sparse_coo_tensor(torch.tensor([[0, 2]]), torch.ones(2))
    assert tuple(real.shape) == (3,)  # the largest index + 1: a value
    with pytest.raises(ShapewiseError, match="explicit size"):
        TORCH_FUNCTIONS["sparse_coo_tensor"]([Spec((1, 2), "int64"), Spec((2,))], {})


# binary cross entropy: the target must have the input's exact size and a float dtype (no broadcasting)
BCE_CASES = []
for _fn in ("binary_cross_entropy", "binary_cross_entropy_with_logits"):
    for _x, _t in [((16, 1), (16,)), ((16, 1), (16, 1)), ((16,), (16, 1)), ((16, 1), (1, 16)), ((4, 3), (4, 3))]:
        BCE_CASES.append(("functional", _fn, [T(*_x, fill=0.5), T(*_t)], {}))
        BCE_CASES.append(("functional", _fn, [T(*_x, fill=0.5), T(*_t)], {"reduction": "none"}))
    BCE_CASES.append(("functional", _fn, [T(16, 1, fill=0.5), T(16, 1, dtype="int64")], {}))
BCE_CASES.append(("functional", "mse_loss", [T(16, 1), T(16)], {}))


@pytest.mark.parametrize("kind,name,args,kwargs", BCE_CASES, ids=[_id(c) for c in BCE_CASES])
def test_binary_cross_entropy_targets_match_torch(kind, name, args, kwargs):
    check(kind, name, args, kwargs, same_text=True)


# torch's broadcasting error names the last mismatching axis (infer_size walks from the right), with torch's text
BROADCAST_ERRORS = [((8, 32, 16, 16), (8, 16, 32, 32)), ((2, 3), (4, 5)), ((3, 1, 5), (2, 4, 6)), ((4, 3), (2, 3))]


@pytest.mark.parametrize("a,b", BROADCAST_ERRORS, ids=[f"{a}+{b}" for a, b in BROADCAST_ERRORS])
def test_broadcast_error_names_torchs_axis(a, b):
    check("operator", "__add__", [T(*a), T(*b)], {}, same_text=True)
    check("function", "mul", [T(*a), T(*b)], {}, same_text=True)

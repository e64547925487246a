"""``shapewise.torch``: torch's API over symbolic tensors, with no torch installed.

``import shapewise.torch as torch`` and PyTorch model code runs as written: ``torch.randn(4, 3, 32, 32)`` makes a
tensor that only knows its shape and dtype; ``nn.Module`` subclasses register their parameters and submodules as
torch does, and every built-in module's forward is a shape rule that explains itself. ``summary(model,
input_size=...)`` gives torchinfo's table with every tensor counted once; ``explain(real_module, ...)`` does the
same for a real torch module (torch installed), read on the meta device.
"""

from . import compute as _rec
from . import nn, optim  # noqa: F401
from .nn import functional  # noqa: F401
from .nn.parameter import Parameter  # noqa: F401
from .tensor import (  # noqa: F401
    DTYPES,
    Size,
    Tensor,
    _ops,
    _to_spec,
    arange,
    as_tensor,
    bfloat16,
    complex64,
    complex128,
    device,
    dtype,
    empty,
    empty_like,
    float16,
    float32,
    float64,
    full,
    full_like,
    int8,
    int16,
    int32,
    int64,
    is_tensor,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    uint8,
    wrap,
    zeros,
    zeros_like,
)
from .tensor import bool_ as bool  # noqa: F401

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = complex64

__version__ = "2.13.0"

#: torch functions, each an explicit dispatch to the ops vocabulary's TORCH_FUNCTIONS table
FUNCTION_NAMES = (
    "cat", "concat", "concatenate", "stack", "hstack", "vstack", "split", "chunk", "unbind", "flatten", "reshape",
    "squeeze", "unsqueeze", "transpose", "permute", "movedim", "swapaxes", "t", "matmul", "mm", "bmm", "einsum",
    "add", "sub", "mul", "div", "pow", "exp", "log", "sqrt", "rsqrt", "abs", "neg", "sin", "cos", "tanh", "sigmoid",
    "relu", "softmax", "log_softmax", "clamp", "clip", "mean", "sum", "max", "min", "amax", "amin", "argmax",
    "argmin", "std", "var", "norm", "prod", "cumsum", "topk", "sort", "argsort", "all", "any", "where", "tril",
    "triu", "masked_fill", "gather", "index_select", "narrow", "select", "roll", "flip", "repeat_interleave",
    "tile", "broadcast_to", "outer", "dot", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "eye",
    "linspace", "logsumexp", "cdist", "square", "sign", "floor", "ceil", "round", "erf", "baddbmm", "addmm",
    "isnan", "isinf", "logical_not", "logical_and", "logical_or", "diag", "diagonal", "trace", "numel", "clone",
    "detach", "zeros_like", "ones_like", "full_like", "multinomial", "bernoulli", "nonzero", "masked_select",
    "dropout", "layer_norm", "conv1d", "conv2d", "atan2", "lerp", "polar", "view_as_real", "view_as_complex",
    "complex", "outer", "kron", "meshgrid", "cartesian_prod", "tensordot", "cross", "triu_indices",
    "tril_indices", "scatter", "scatter_add", "searchsorted", "bucketize", "unique", "cumprod", "diff",
    "exp2", "log2", "log10", "log1p", "expm1", "reciprocal", "fmod", "remainder", "floor_divide",
)


def _function(name):
    def fn(*args, **kwargs):
        rule = _ops().TORCH_FUNCTIONS.get(name)
        if rule is None:
            from ..errors import RefusedError

            raise RefusedError(f"torch.{name} is not in shapewise's vocabulary", layer_type=f"torch.{name}")
        out = wrap(rule(list(map(_to_spec, args)), {k: _to_spec(v) for k, v in kwargs.items()}))
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.op(name, args, kwargs, out)
        return out

    fn.__name__ = name
    return fn


for _name in FUNCTION_NAMES:
    if _name not in globals():
        globals()[_name] = _function(_name)
del _name


class no_grad:
    """``torch.no_grad()``: a context manager (and decorator) that changes no shape."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __call__(self, fn):
        return fn


enable_grad = inference_mode = no_grad


def manual_seed(seed):
    return None


def set_grad_enabled(mode):
    return no_grad()


def get_default_dtype():
    return float32


class _Cuda:
    @staticmethod
    def is_available():
        return False

    @staticmethod
    def device_count():
        return 0

    @staticmethod
    def manual_seed(seed):
        return None

    manual_seed_all = manual_seed


cuda = _Cuda()


class _Backends:
    class mps:
        @staticmethod
        def is_available():
            return False

    class cudnn:
        benchmark = False
        deterministic = False


backends = _Backends()


def summary(model, input_size=None, input_data=None, dtypes=None, **kwargs):
    """torchinfo.summary's call: run ``model`` on example inputs and return its report (``print`` shows the
    table)."""
    from .report import summary as _summary

    return _summary(model, input_size=input_size, input_data=input_data, dtypes=dtypes, **kwargs)


def explain(module, input_size=None, input_data=None, dtypes=None, **kwargs):
    """Explain a real ``torch.nn.Module`` (torch installed): parameters read from it, shapes from a forward on
    the meta device (a copy: the module itself is never moved or changed)."""
    from .live import explain as _explain

    return _explain(module, input_size=input_size, input_data=input_data, dtypes=dtypes, **kwargs)

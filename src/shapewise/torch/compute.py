"""The op-event hook of the PyTorch front end, and the compute of a PyTorch model derived from its events.

**The hook.** While a :class:`Recorder` is active (``with recording() as rec:``), every tensor operation of the
front end records one :class:`OpEvent`: a tensor method or operator (``Tensor._method`` / ``_op``), a torch
function (``torch.matmul``), a ``torch.nn.functional`` function, and the forward of each built-in module
(``Linear``, ``Conv2d``, ``LSTM``, ... record one event for their whole rule; modules built of other modules,
like ``TransformerEncoderLayer``, record their submodules' calls and their own residual additions). Each event is
attributed to the innermost module call in progress: ``Module.__call__`` pushes a :class:`ModuleCall` and pops
it when the call returns (or raises), so a module called twice has two calls, each with its own events.

- ``OpEvent.op``: the op's name as torch/aten calls it ("matmul", "add", "add_", "linear", "conv2d",
  "conv_transpose2d", "lstm", "multi_head_attention_forward", "getitem" for indexing);
- ``OpEvent.inputs``: the Specs of the tensors among its arguments, in order (the tensor a method is called on
  first; for a built-in module's event, the tensors its forward received, then none of its parameters: read
  those from ``event.module``); ``OpEvent.args`` / ``OpEvent.kwargs``: the call's arguments with tensors as
  Specs (non-tensor values as given);
- ``OpEvent.outputs``: the Specs of the result, flattened (a tuple of tensors in order);
- ``OpEvent.call``: the :class:`ModuleCall` it happened in (None outside any module); ``OpEvent.module``: the
  built-in module whose forward this event is (None for a plain op); ``OpEvent.ctx``: that module's rule context
  for this call (its named axes), else None.

A :class:`ModuleCall` has ``module``, ``parent`` (the enclosing call or None), ``index`` (0 for a module's first
call), ``events`` (its own, in order), ``children`` (the calls made inside it) and ``inputs`` / ``outputs``
(Specs, flattened). ``Recorder.events`` lists every event in execution order and ``Recorder.calls`` every module
call in the order they began; ``Recorder.roots`` the calls made outside any module. Each module also keeps its
recorded calls in ``module.__dict__["_sw_rec_calls"]`` (what the report reads; ``forget_calls`` clears it).

When no recorder is active the cost is one global read per op (``compute.ACTIVE is None``).
"""

from __future__ import annotations

#: The active recorder, or None: the one global the hook reads.
ACTIVE = None


class ModuleCall:
    """One call of a module: its own events and the calls made inside it."""

    __slots__ = ("children", "events", "index", "inputs", "module", "outputs", "parent")

    def __init__(self, module, parent, index, inputs):
        self.module = module
        self.parent = parent
        self.index = index
        self.inputs = inputs
        self.outputs = []
        self.events = []
        self.children = []

    def walk_events(self):
        """Its events and those of every call inside it, in execution order."""
        stack = [self]
        out = []
        while stack:
            call = stack.pop()
            out.extend(call.events)
            stack.extend(reversed(call.children))
        out.sort(key=lambda e: e.seq)
        return out

    def __repr__(self):
        return f"<call {self.index} of {self.module.type_name}: {len(self.events)} events>"


class OpEvent:
    """One tensor operation (see the module docstring)."""

    __slots__ = ("args", "call", "ctx", "inputs", "kwargs", "module", "op", "outputs", "seq")

    def __init__(self, op, inputs, args, kwargs, outputs, call, module=None, ctx=None, seq=0):
        self.op = op
        self.inputs = inputs
        self.args = args
        self.kwargs = kwargs
        self.outputs = outputs
        self.call = call
        self.module = module
        self.ctx = ctx
        self.seq = seq

    def __repr__(self):
        shapes = ", ".join(str(s.values()) for s in self.inputs)
        return f"<{self.op}({shapes}) -> {[s.values() for s in self.outputs]}>"


class Recorder:
    """Collects the op events and module calls of the code run while it is active."""

    def __init__(self):
        self.events = []
        self.calls = []
        self.roots = []
        self.current = None  # the innermost ModuleCall in progress
        self._count = {}  # id(module) -> calls so far

    # --- what the hook calls ------------------------------------------------------------------------------
    def push(self, module, args, kwargs):
        k = id(module)
        index = self._count.get(k, 0)
        self._count[k] = index + 1
        call = ModuleCall(module, self.current, index, _flat_specs((args, kwargs)))
        (self.current.children if self.current is not None else self.roots).append(call)
        self.calls.append(call)
        module.__dict__.setdefault("_sw_rec_calls", []).append(call)  # what the report reads
        self.current = call
        return call

    def pop(self, call, out):
        if out is not None:
            call.outputs = _flat_specs(out)
        self.current = call.parent

    def op(self, name, args, kwargs, out):
        """A tensor op: ``args`` and ``kwargs`` as the op received them (Tensors or Specs), ``out`` its result."""
        from .tensor import _to_spec

        args = tuple(map(_to_spec, args))
        kwargs = {k: _to_spec(v) for k, v in kwargs.items()} if kwargs else {}
        event = OpEvent(name, _flat_specs((args, kwargs)), args, kwargs, _flat_specs(out), self.current,
                        seq=len(self.events))
        self.events.append(event)
        if self.current is not None:
            self.current.events.append(event)
        return event

    def module_op(self, module, ctx, args, kwargs, out):
        """The forward of a built-in module: one event, named as the functional op torch runs for it."""
        event = OpEvent(op_name(module), list(ctx.input_specs), tuple(args), dict(kwargs), _flat_specs(out),
                        self.current, module, ctx, seq=len(self.events))
        self.events.append(event)
        if self.current is not None:
            self.current.events.append(event)
        return event

    # --- reading -------------------------------------------------------------------------------------------
    def calls_of(self, module):
        return [c for c in self.calls if c.module is module]


class recording:
    """``with recording() as rec:`` makes ``rec`` the active Recorder (the previous one is restored after)."""

    def __init__(self, recorder=None):
        self.recorder = recorder if recorder is not None else Recorder()
        self._saved = None

    def __enter__(self):
        global ACTIVE
        self._saved = ACTIVE
        ACTIVE = self.recorder
        return self.recorder

    def __exit__(self, *exc):
        global ACTIVE
        ACTIVE = self._saved
        return False


def _flat_specs(value):
    from ..engine import Spec
    from .tensor import Tensor

    out = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, Tensor):
            out.append(v.spec)
        elif type(v) is Spec:
            out.append(v)
        elif isinstance(v, (tuple, list)):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            stack.extend(reversed(list(v.values())))
    return out


#: Operators as the aten op they run (``x + y`` is aten.add; ``x += y`` aten.add_; reflected ones the same op)
OPERATOR_OPS = {
    "__abs__": "abs", "__add__": "add", "__and__": "bitwise_and", "__eq__": "eq", "__floordiv__": "floor_divide",
    "__ge__": "ge", "__getitem__": "getitem", "__gt__": "gt", "__iadd__": "add_", "__iand__": "bitwise_and_",
    "__imul__": "mul_", "__invert__": "bitwise_not", "__ior__": "bitwise_or_", "__ipow__": "pow_",
    "__isub__": "sub_", "__itruediv__": "div_", "__le__": "le", "__lt__": "lt", "__matmul__": "matmul",
    "__mod__": "remainder", "__mul__": "mul", "__ne__": "ne", "__neg__": "neg", "__or__": "bitwise_or",
    "__pos__": "positive", "__pow__": "pow", "__radd__": "add", "__rand__": "bitwise_and",
    "__rfloordiv__": "floor_divide", "__rmatmul__": "matmul", "__rmod__": "remainder", "__rmul__": "mul",
    "__ror__": "bitwise_or", "__rpow__": "pow", "__rsub__": "rsub", "__rtruediv__": "div", "__sub__": "sub",
    "__truediv__": "div", "__xor__": "bitwise_xor",
}

#: Built-in modules as the functional op their forward runs (a class not listed: its name in lower case)
_MODULE_OPS = {
    "Linear": "linear", "LazyLinear": "linear", "NonDynamicallyQuantizableLinear": "linear", "Bilinear": "bilinear",
    "Identity": "identity", "Conv1d": "conv1d", "Conv2d": "conv2d", "Conv3d": "conv3d",
    "ConvTranspose1d": "conv_transpose1d", "ConvTranspose2d": "conv_transpose2d",
    "ConvTranspose3d": "conv_transpose3d", "MultiheadAttention": "multi_head_attention_forward",
    "BatchNorm1d": "batch_norm", "BatchNorm2d": "batch_norm", "BatchNorm3d": "batch_norm",
    "SyncBatchNorm": "batch_norm", "InstanceNorm1d": "instance_norm", "InstanceNorm2d": "instance_norm",
    "InstanceNorm3d": "instance_norm", "LayerNorm": "layer_norm", "RMSNorm": "rms_norm", "GroupNorm": "group_norm",
    "LocalResponseNorm": "local_response_norm", "Embedding": "embedding", "EmbeddingBag": "embedding_bag",
    "RNN": "rnn", "LSTM": "lstm", "GRU": "gru", "RNNCell": "rnn_cell", "LSTMCell": "lstm_cell",
    "GRUCell": "gru_cell", "MaxPool1d": "max_pool1d", "MaxPool2d": "max_pool2d", "MaxPool3d": "max_pool3d",
    "AvgPool1d": "avg_pool1d", "AvgPool2d": "avg_pool2d", "AvgPool3d": "avg_pool3d", "LPPool1d": "lp_pool1d",
    "LPPool2d": "lp_pool2d", "LPPool3d": "lp_pool3d", "AdaptiveAvgPool1d": "adaptive_avg_pool1d",
    "AdaptiveAvgPool2d": "adaptive_avg_pool2d", "AdaptiveAvgPool3d": "adaptive_avg_pool3d",
    "AdaptiveMaxPool1d": "adaptive_max_pool1d", "AdaptiveMaxPool2d": "adaptive_max_pool2d",
    "AdaptiveMaxPool3d": "adaptive_max_pool3d", "FractionalMaxPool2d": "fractional_max_pool2d",
    "FractionalMaxPool3d": "fractional_max_pool3d", "MaxUnpool1d": "max_unpool1d", "MaxUnpool2d": "max_unpool2d",
    "MaxUnpool3d": "max_unpool3d", "Dropout": "dropout", "Dropout1d": "dropout1d", "Dropout2d": "dropout2d",
    "Dropout3d": "dropout3d", "AlphaDropout": "alpha_dropout", "FeatureAlphaDropout": "feature_alpha_dropout",
    "Flatten": "flatten", "Unflatten": "unflatten", "PixelShuffle": "pixel_shuffle",
    "PixelUnshuffle": "pixel_unshuffle", "ChannelShuffle": "channel_shuffle", "Upsample": "interpolate",
    "UpsamplingNearest2d": "interpolate", "UpsamplingBilinear2d": "interpolate", "Unfold": "unfold", "Fold": "fold",
    "CosineSimilarity": "cosine_similarity", "PairwiseDistance": "pairwise_distance", "Softmax": "softmax",
    "LogSoftmax": "log_softmax", "Softmin": "softmin", "Softmax2d": "softmax", "GLU": "glu", "PReLU": "prelu",
    "ReLU": "relu", "ReLU6": "relu6", "LeakyReLU": "leaky_relu", "ELU": "elu", "CELU": "celu", "SELU": "selu",
    "GELU": "gelu", "SiLU": "silu", "Mish": "mish", "Sigmoid": "sigmoid", "Tanh": "tanh", "Hardtanh": "hardtanh",
    "Hardsigmoid": "hardsigmoid", "Hardswish": "hardswish", "Softplus": "softplus", "Softsign": "softsign",
    "Softshrink": "softshrink", "Hardshrink": "hardshrink", "Tanhshrink": "tanhshrink", "Threshold": "threshold",
    "LogSigmoid": "logsigmoid", "RReLU": "rrelu",
}


def op_name(module):
    """The functional op a built-in module's forward runs: ``Linear`` is "linear", ``ReflectionPad2d`` "pad"."""
    name = type(module).__name__
    for cls in type(module).__mro__:  # (a parametrized module's class is Parametrized<Class>, a subclass)
        got = _MODULE_OPS.get(cls.__name__)
        if got is not None:
            return got
    if name.endswith(("Pad1d", "Pad2d", "Pad3d")):
        return "pad"
    return name.lower()


__all__ = ["ACTIVE", "ModuleCall", "OpEvent", "Recorder", "op_name", "recording"]

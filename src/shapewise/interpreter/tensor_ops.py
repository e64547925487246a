"""Operations on symbolic tensors in a snippet: ``keras.ops.*``, Python operators, indexing.

The shape rules are the ops vocabulary's (``shapewise.ops``: one rule per op over Dims, shared by both
frameworks); this module only moves values between the interpreter and those rules. Tensors go in as Specs
(a weight of a custom layer is a tensor too) and come back as symbolic tensors:

- inside a custom layer's ``call`` being traced, as plain symbolic tensors (Keras traces ``call`` on tensors that
  never become nodes of the model), and each op is noted for the layer's explanation;
- in a functional model, as the outputs of an ``Operation`` node: Keras records ``x * 2`` or ``ops.mean(x)`` on a
  KerasTensor as an operation of the graph (shown by its summary, not listed in ``model.layers``), auto-named from
  the same counters as layers (``multiply``, ``mean``).
"""

from __future__ import annotations

import ast

from .. import engine
from ..dims import Dim
from ..engine import KerasTensor, Layer, Spec, Weight, map_structure
from ..errors import ArgumentError, ShapewiseError

#: The keras.ops function each Python operator on a KerasTensor calls (keras/src/backend/common/keras_tensor.py),
#: by AST operator type. (``==`` is not among them: a KerasTensor has no __eq__, so Python compares identities.)
OPERATOR_OPS = {
    ast.Add: "add", ast.Sub: "subtract", ast.Mult: "multiply", ast.Div: "true_divide", ast.FloorDiv: "floor_divide",
    ast.Mod: "mod", ast.Pow: "power", ast.MatMult: "matmul", ast.BitAnd: "logical_and", ast.BitOr: "logical_or",
    ast.BitXor: "logical_xor",
}
COMPARE_OPS = {ast.NotEq: "not_equal", ast.Lt: "less", ast.LtE: "less_equal", ast.Gt: "greater",
               ast.GtE: "greater_equal"}
UNARY_OPS = {ast.USub: "negative", ast.Invert: "logical_not", ast.UAdd: None}

#: The Keras Operation classes whose name is not the CamelCase of the op's (keras.src.ops; tests/test_masking_keras.py
#: checks every op of the table against real Keras).
_CLASS_NAMES = {"matmul": "Matmul", "getitem": "GetItem", "abs": "Absolute", "conj": "Conjugate",
                "hard_swish": "HardSilu", "swish": "Silu", "layer_normalization": "LayerNorm",
                "rms_normalization": "RMSNorm", "relu6": "Relu6"}


def _class_name(op):
    """The class of the Operation Keras records for ``keras.ops.<op>`` (its namespace dropped: ``nn.relu`` and
    ``numpy.add`` are ``Relu`` and ``Add``)."""
    base = op.rsplit(".", 1)[-1]
    return _CLASS_NAMES.get(base) or "".join(part[:1].upper() + part[1:] for part in base.split("_"))


def keras_table():
    """The ``keras.ops`` table of the ops vocabulary, or None when this shapewise has none."""
    try:
        from ..ops.keras_ops import KERAS_OPS
    except ImportError:  # pragma: no cover - the vocabulary ships with shapewise
        return None
    return KERAS_OPS


class Operation(Layer):
    """An op applied to symbolic tensors of a functional model: a graph node, not a layer (see the module
    docstring). Its rule re-applies the op's shape rule to new input specs (a nested model run on a new shape)."""

    is_operation = True
    keras_name = "Operation"

    def __init__(self, op, fn):
        super().__init__(name=engine.session().auto_name(engine.to_snake_case(_class_name(op))))
        self.op = op
        self.fn = fn
        self.op_class = self.keras_name = _class_name(op)  # the row's type in the summary (the class stays Operation)
        self._weights = []

    def infer(self, ctx, *args, **kwargs):
        out = self.fn(list(args), kwargs)
        ctx.note(f"keras.ops.{self.op}: {_specs_text(args)} → {_specs_text([out])}")
        return out


def _specs_text(values):
    parts = []
    for v in engine.flatten(list(values)):
        if isinstance(v, Spec):
            parts.append(engine.format_shape(v.values()))
    return " and ".join(parts)


def to_specs(value):
    """Interpreter values → the ops vocabulary's: symbolic tensors and weights as Specs."""
    def one(v):
        if isinstance(v, KerasTensor):
            return v.spec
        if isinstance(v, Weight):
            return Spec(v.dims, v.owner.dtype if v.owner is not None else "float32")
        return v
    return map_structure(one, value)


def has_tensor(values):
    return any(isinstance(v, (KerasTensor, Weight)) for v in engine.flatten(list(values)))


def apply(interp, op, fn, args, kwargs, node):
    """Apply the op ``op`` (its rule ``fn``) to interpreter values; returns interpreter values."""
    spec_args = to_specs(list(args))
    spec_kwargs = {k: to_specs(v) for k, v in kwargs.items()}
    from ..ops import keras_ops

    keras_ops.TRACING[0] = bool(interp.tracing)
    try:
        return _apply(interp, op, fn, args, kwargs, node, spec_args, spec_kwargs)
    finally:
        keras_ops.TRACING[0] = False


def _apply(interp, op, fn, args, kwargs, node, spec_args, spec_kwargs):
    graph_tensors = [v for v in engine.flatten([list(args), kwargs]) if isinstance(v, KerasTensor)]
    in_graph = not interp.tracing and any(t._keras_history[0] is not None for t in graph_tensors)
    try:
        if in_graph:
            result = fn(spec_args, spec_kwargs)
            if not any(isinstance(v, Spec) for v in engine.flatten([result])):
                return result  # ops.shape(x) and the like: sizes, not a tensor of the graph
        if in_graph:
            # constants among the operands (ops.arange(...), a layer run on them) enter the op as their specs, as
            # Keras records them: values of the operation, not inputs from the graph
            def constant(v):
                return v.spec if isinstance(v, KerasTensor) and v._keras_history[0] is None else v
            operation = Operation(op, fn)
            out = operation(*map_structure(constant, list(args)),
                            **{k: map_structure(constant, v) for k, v in kwargs.items()})
        else:
            result = fn(spec_args, spec_kwargs)
            out = map_structure(lambda s: KerasTensor(s) if isinstance(s, Spec) else s, result)
    except ShapewiseError as e:
        if e.layer is None or e.layer_type == "Operation":
            e.layer, e.layer_type = f"keras.ops.{op}", "op"
        raise
    except (TypeError, ValueError, IndexError, KeyError, ZeroDivisionError) as e:  # a rule's defect, reported plainly
        raise ArgumentError(f"keras.ops.{op}: {e}", layer=f"keras.ops.{op}", layer_type="op") from None
    if interp.tracing:
        interp.note_cost(("op", op, [v for v in engine.flatten([spec_args, spec_kwargs]) if isinstance(v, Spec)],
                          [v for v in engine.flatten([to_specs(out)]) if isinstance(v, Spec)], None))
        shapes_in = _specs_text(spec_args)
        shapes_out = _specs_text([to_specs(out)]) if not isinstance(out, (Dim, int, tuple)) or has_tensor([out]) \
            else None
        text = interp._text(node) if node is not None else op
        if shapes_out and not shapes_in:
            interp.note_trace(f"{text} → {shapes_out}")
        else:
            interp.note_trace(f"{text}: {shapes_in} → {shapes_out}" if shapes_out else f"{text}: {shapes_in}")
    return out

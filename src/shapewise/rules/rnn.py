"""Recurrent layers: the cells (SimpleRNNCell, GRUCell, LSTMCell, StackedRNNCells), the generic RNN, and
SimpleRNN, GRU, LSTM.

As in Keras 3, a recurrent layer is an ``RNN`` that runs a *cell* once per timestep; the weights belong to the
cell. A cell with ``units`` hidden values and ``g`` gates (1 for SimpleRNN, 3 for GRU, 4 for LSTM) has a kernel
``features × g·units`` reading the input, a recurrent kernel ``units × g·units`` reading the previous hidden
state, and a bias of ``g·units`` (two of them for GRU with ``reset_after``). The same weights are used at every
timestep, so the sequence length never changes the count: params = g·units·(features + units + 1).

Keras names the cell of ``LSTM`` explicitly ``lstm_cell`` (no auto-name counter is used), while a cell the user
creates (``LSTMCell(4)``) is auto-named and does consume a counter (``lstm_cell``, ``lstm_cell_1``, ...).
"""

from __future__ import annotations

from ..dims import Known, product
from ..engine import Layer, Spec, flatten, positive_int, register
from ..errors import ArgumentError, RefusedError, ShapewiseError, UnknownDimError
from .core import activation_name, check_activation

_GATE_NAMES = {
    1: "",
    3: " through 3 gates (update, reset, candidate)",
    4: " through 4 gates (input, forget, cell, output)",
}

_KIND = {1: "SimpleRNN", 3: "GRU", 4: "LSTM"}


def _check_units(units, layer_type):
    """Keras's cells only check ``units <= 0``; a non-integer fails later when the kernel is created."""
    try:
        bad = units <= 0
    except TypeError:
        bad = False
    if bad:
        raise ArgumentError(
            f"Received an invalid value for argument `units`, expected a positive integer, got {units}.",
            layer_type=layer_type)
    return positive_int(units, "units", layer_type)


def _clip_rate(rate):
    """Keras clips dropout rates into [0, 1] (``min(1.0, max(0.0, dropout))``): no error for 1.5 or -1."""
    return min(1.0, max(0.0, rate))


def call_inner(ctx, layer, spec, label, *more):
    """``ctx.call`` for a wrapper's inner layer; an error inside it is reported on the wrapper (the layer the
    model lists), saying which inner layer failed. Returns (output, the inner layer's context)."""
    try:
        out = ctx.call(layer, spec, *more, label=label)
    except ShapewiseError as e:
        if e.layer != ctx.layer.name:
            inner = e.layer or layer.name
            inner_type = e.layer_type or type(layer).keras_name
            e.message = f"in its inner layer '{inner}' ({inner_type}): {e.message}"
            e.args = (e.message,)
            e.layer, e.layer_type, e.got = ctx.layer.name, type(ctx.layer).keras_name, None
        raise
    return out, ctx.children[-1][1]



# --------------------------------------------------------------------------------------------------------------
# Cells


class _Cell(Layer):
    """A cell: the computation of one timestep. Its rule reads one step of input ``(batch, features)``."""

    gates = 1

    def __init__(self, config, **kwargs):
        name = type(self).__name__
        config = {"activation": "tanh", "recurrent_activation": "sigmoid", "use_bias": True,
                  "unit_forget_bias": True, "reset_after": True, **config}
        self.units = _check_units(config["units"], name)
        super().__init__(**kwargs)
        self.activation = check_activation(config["activation"], name)
        self.recurrent_activation = check_activation(config["recurrent_activation"], name)
        self.use_bias = config["use_bias"]
        self.unit_forget_bias = config["unit_forget_bias"]
        self.reset_after = config["reset_after"]
        self.dropout = _clip_rate(config["dropout"])
        self.recurrent_dropout = _clip_rate(config["recurrent_dropout"])
        self._config = {k: v for k, v in config.items() if k in self._own_args}

    @property
    def state_size(self):
        return [self.units, self.units] if self.gates == 4 else self.units

    @property
    def output_size(self):
        return self.units

    def _clone(self):
        """A new cell from this one's config, as Keras's serialize/deserialize does (explicit name, no uid)."""
        return type(self)(**self._config, name=self.name, trainable=self.trainable, dtype=self.dtype)

    def _two_biases(self):
        return self.gates == 3 and self.reset_after

    def param_expr(self, features, units):
        """g·units·(features + units + bias terms), the cell's parameter count as an expression."""
        bias_terms = (2 if self._two_biases() else 1) if self.use_bias else 0
        return self.gates * units * (features + units + bias_terms)

    def _split_gates(self):
        """Keras runs a gated cell with one product per gate (``implementation=1``) when it has recurrent
        dropout: each gate gets its own dropout mask and its own dropped copy of the input."""
        return self.gates > 1 and 0 < self.recurrent_dropout

    def _input_dropout(self):
        """Whether the cell drops its input in training (SimpleRNNCell for any rate above 0; the gated cells
        for a rate strictly between 0 and 1, as Keras tests them)."""
        return 0 < self.dropout and (self.gates == 1 or self.dropout < 1)

    def _recurrent_dropout(self):
        return 0 < self.recurrent_dropout and (self.gates == 1 or self.recurrent_dropout < 1)

    def _masks(self):
        """How many dropout masks the cell makes for each of its input and recurrent dropouts."""
        return self.gates if self._split_gates() else 1

    def _loop_structure(self):
        """What torch keeps for one step of Keras's generic RNN loop, in (batch·units)-sized tensors, derived
        from the cell's call on Keras's torch backend and measured (tests/test_compute_keras.py):

        (per step, initial, shared): ``per step`` tensors at every step (the gate activations' results and the
        products' operands, counting the previous states a step reads); ``initial`` tensors once (the zero
        initial state SimpleRNN's product reads, the recurrent dropout masks); ``shared``: how many of the
        initial states both the loop's extra first step and its first step keep (counted once)."""
        rec = self._recurrent_dropout()
        if self.gates == 1:
            return (2, 1, 0) if rec else (1, 1, 0)
        if self._split_gates():  # one product per gate: the h of each product is a dropped copy
            return (10, 4, 1) if self.gates == 4 else (9, 3, 1)
        if self.gates == 4:
            return 7, 0, 2  # reads h and c of the step before (both zeros tensors at the start)
        return (8, 0, 1) if self.reset_after else (6, 0, 1)

    def _loop_saves(self):
        """(per step, constant) of the generic loop over a whole sequence, the loop's extra first step
        included (a cell called alone: one step)."""
        per_step, initial, shared = self._loop_structure()
        return per_step, initial - shared

    def step_cost(self, c, batch, features, times):
        """One step's work, ``times`` times: the two matrix products and the elementwise gate arithmetic."""
        units = Known(self.units, "units")
        g = self.gates
        c.macs(g * batch * times * features * units, "input × kernel at every timestep")
        c.macs(g * batch * times * units * units, "hidden state × recurrent_kernel at every timestep")
        bias = (2 if self._two_biases() else 1) if self.use_bias else 0
        per_unit = (bias + 2) * g + (4 if g > 1 else 0) + (1 if g == 3 else 0)
        c.ops(per_unit * batch * times * units, "bias adds, adding the two products, the activations, the state "
                                                "update")
        return units

    def compute(self, c):
        batch, *_, features = c.axes(0, "batch", ..., "features")
        units = self.step_cost(c, batch, features, 1)
        c.saves_input(0, "input")
        c.saves(self._loop_saves()[0] * batch * units, "gates and states")

    def infer(self, ctx, x, states=None, training=None):
        kind = type(self).__name__
        if x.rank < 2:
            ctx.fail(f"{kind} reads one timestep of input, (batch, features), but it received a {x.rank}D input",
                     expected="(batch, features)", error=UnknownDimError)
        batch, *_, features = ctx.bind(x, "batch", ..., "features")
        units = ctx.const(self.units, "units")
        g = self.gates
        ctx.weight("kernel", (features, g * units))
        ctx.weight("recurrent_kernel", (units, g * units))
        if self.use_bias:
            ctx.weight("bias", (Known(2), g * units) if self._two_biases() else (g * units,))
        ctx.formula(self.param_expr(features, units))
        if g == 3 and self.use_bias:
            ctx.note("reset_after=True keeps two bias rows (one for the input, one for the recurrent part)"
                     if self.reset_after else "reset_after=False: a single bias row")
        reads = f"all {features.value} input features and the {self.units} previous hidden values"
        state = "hidden state" if g != 4 else "hidden state (and one of the cell state)"
        ctx.units(f"each of the {self.units} units holds one value of the {state}; at every timestep it reads "
                  f"{reads}{_GATE_NAMES[g]}, then applies {activation_name(self.activation)}")
        out = ctx.spec((batch, units))
        if states is not None:
            return [out, [ctx.spec((batch, units)) for _ in range(2 if g == 4 else 1)]]
        return out


@register()
class SimpleRNNCell(_Cell):
    gates = 1
    _own_args = ("units", "activation", "use_bias", "dropout", "recurrent_dropout")

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None,
                 **kwargs):
        super().__init__(dict(units=units, activation=activation, use_bias=use_bias, dropout=dropout,
                              recurrent_dropout=recurrent_dropout), **kwargs)


@register()
class GRUCell(_Cell):
    gates = 3
    _own_args = ("units", "activation", "recurrent_activation", "use_bias", "dropout", "recurrent_dropout",
                 "reset_after")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 recurrent_constraint=None, bias_constraint=None, dropout=0.0, recurrent_dropout=0.0,
                 reset_after=True, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                              use_bias=use_bias, dropout=dropout, recurrent_dropout=recurrent_dropout,
                              reset_after=reset_after), **kwargs)


@register()
class LSTMCell(_Cell):
    gates = 4
    _own_args = ("units", "activation", "recurrent_activation", "use_bias", "unit_forget_bias", "dropout",
                 "recurrent_dropout")

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, seed=None, **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                              use_bias=use_bias, unit_forget_bias=unit_forget_bias, dropout=dropout,
                              recurrent_dropout=recurrent_dropout), **kwargs)


def _is_cell(obj):
    return isinstance(obj, (_Cell, StackedRNNCells)) or _custom_cell(obj)


def _custom_cell(obj):
    """A cell class the snippet defines: a Layer whose __init__ set ``state_size`` (Keras's RNN guide's
    MinimalRNNCell); its build() gets one step's input shape and its call(inputs, states) runs on one step."""
    attrs = obj.__dict__.get("_attrs") if isinstance(obj, Layer) and hasattr(obj, "_cls") else None
    return attrs is not None and attrs.get("state_size") is not None


def _state_size(cell):
    if not _custom_cell(cell):
        return cell.state_size
    size = cell._attrs["state_size"]  # an int, or one per state (a list or tuple, as Keras takes either)
    return list(size) if isinstance(size, (list, tuple)) else size


def _output_size(cell):
    """Keras's RNN: the cell's output_size if it has one, else its (first) state size."""
    if not _custom_cell(cell):
        return cell.output_size
    size = cell._attrs.get("output_size")
    if size is None:
        size = cell._attrs["state_size"]
        size = size[0] if isinstance(size, (list, tuple)) else size
    return size


@register()
class StackedRNNCells(Layer):
    """Several cells run one after the other at each timestep: cell k reads the output of cell k−1."""

    def __init__(self, cells, **kwargs):
        super().__init__(**kwargs)
        cells = list(cells)
        for cell in cells:
            if not isinstance(cell, Layer):
                raise ArgumentError(f"All cells must have a `call` method. Received cell without a `call` "
                                    f"method: {cell}", layer_type="StackedRNNCells")
            if not _is_cell(cell):
                raise ArgumentError(f"All cells must have a `state_size` attribute. Received cell without a "
                                    f"`state_size`: {cell}", layer_type="StackedRNNCells")
        self.cells = cells
        self._sublayers = list(cells)

    @property
    def state_size(self):
        return [c.state_size for c in self.cells]

    @property
    def output_size(self):
        return self.cells[-1].output_size

    def _clone(self):
        return StackedRNNCells([c._clone() for c in self.cells], name=self.name, trainable=self.trainable,
                               dtype=self.dtype)

    def infer(self, ctx, x, states=None, training=None):
        step = x
        texts = []
        for k, cell in enumerate(self.cells):
            step, child = call_inner(ctx, cell, step, f"cell {k}: {cell.name}")
            if child.unit_text:
                texts.append(f"cell {k} ({cell.name}): {child.unit_text}")
        if texts:
            ctx.units("; ".join(texts))
        ctx.note(f"{len(self.cells)} cells stacked: each cell reads the output of the one before it, at every "
                 f"timestep; the last cell's output is the layer's output")
        return step

    def compute(self, c):
        batch, *_, features = c.axes(0, "batch", ..., "features")
        for cell in self.cells:
            features = cell.step_cost(c, batch, features, 1)
            c.saves(cell._loop_saves()[0] * batch * features, f"{cell.name}'s gates and states")
        c.saves_input(0, "input")


# --------------------------------------------------------------------------------------------------------------
# RNN layers


def _state_shapes(state_size, batch, ctx):
    """Keras's compute_output_shape: one (batch, size) per state, nested lists for stacked cells, flattened."""
    sizes = state_size if isinstance(state_size, list) else [state_size]
    out = []
    for s in sizes:
        if isinstance(s, list):
            out.extend(ctx.spec((batch, ctx.const(v, "units"))) for v in s)
        else:
            out.append(ctx.spec((batch, ctx.const(s, "units"))))
    return out


@register()
class RNN(Layer):
    """The generic recurrent layer: runs ``cell`` over the timesteps (a list of cells is stacked)."""
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        mask = flatten(previous_mask)[0]
        output_mask = mask if self.return_sequences else None
        return [output_mask] if self.return_state else output_mask  # the states carry no mask

    #: SimpleRNN/GRU/LSTM declare input_spec ndim=3; the generic RNN has none
    _ndim = None

    def __init__(self, cell, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, zero_output_for_mask=False, **kwargs):
        if isinstance(cell, (list, tuple)):
            cell = StackedRNNCells(cell)
        if not isinstance(cell, Layer):
            raise ArgumentError(f"Argument `cell` should have a `call` method. Received: cell={cell}",
                                layer_type=type(self).__name__)
        if not _is_cell(cell):
            raise ArgumentError(
                "The RNN cell should have a `state_size` attribute (single integer or list of integers, one "
                f"integer per RNN state). Received: cell={cell}", layer_type=type(self).__name__,
                fix="pass a cell (SimpleRNNCell, GRUCell, LSTMCell) or use the layer itself, e.g. LSTM(units)")
        super().__init__(**kwargs)
        self.cell = cell
        self._sublayers = [cell]
        if _custom_cell(cell):
            cell._build_with_first_input = True  # Keras's RNN builds a cell on one step's input shape
        self.return_sequences = return_sequences
        self.return_state = return_state
        self.go_backwards = go_backwards
        self.stateful = stateful
        self.unroll = unroll
        self.zero_output_for_mask = zero_output_for_mask
        self._rnn_config = dict(return_sequences=return_sequences, return_state=return_state,
                                go_backwards=go_backwards, stateful=stateful, unroll=unroll)

    @property
    def state_size(self):
        return _state_size(self.cell)

    def _clone(self, name, **overrides):
        """A copy built from this layer's config, as Keras's Bidirectional does (explicit name: no uid)."""
        if _custom_cell(self.cell):
            raise RefusedError(f"a copy of an RNN over the cell {type(self.cell).keras_name}, which the snippet "
                               "defines (Bidirectional makes one): shapewise does not copy a snippet's cell yet",
                               layer_type=type(self).__name__, fix="build the backward RNN yourself and pass it "
                                                                   "as backward_layer=")
        config = {**self._rnn_config, **overrides}
        return RNN(self.cell._clone(), zero_output_for_mask=self.zero_output_for_mask, name=name,
                   trainable=self.trainable, dtype=self.dtype, **config)

    def _kind(self):
        return type(self).__name__

    def infer(self, ctx, x, initial_state=None, mask=None, training=None):
        kind = self._kind()
        if self._ndim is not None and x.rank != self._ndim and ctx.called:  # InputSpec(ndim=3)
            fix = ("if the layer before is a recurrent layer, give it return_sequences=True so it passes on "
                   "the whole sequence; after Flatten or Dense, use Reshape((timesteps, features)) instead"
                   if x.rank == 2 else
                   "feed a 3D tensor: (batch, timesteps, features); e.g. Reshape((timesteps, features))")
            ctx.fail(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim=3, found "
                     f"ndim={x.rank}. {kind} expects a 3D input (batch, timesteps, features)",
                     expected="(batch, timesteps, features)", fix=fix, expected_rank=self._ndim)
        if x.rank < 2:
            ctx.fail(f"{kind} needs an input (batch, timesteps, features), but it received a {x.rank}D input",
                     expected="(batch, timesteps, features)")
        if x.rank == 3:
            batch, timesteps, features = ctx.bind(x, "batch", "timesteps", "features")
            step_shape = (batch, features)
        else:
            batch, timesteps, *rest = ctx.bind(x, "batch", "timesteps", ...)
            step_shape = (batch, *rest)
        if ctx.building:  # build(): the cell's kernel reads the last axis; a stateful layer keeps one state per sample
            if len(step_shape) > 1 and step_shape[-1].value is None:
                ctx.fail(f"the last axis (features) of {kind}'s input must be known: it sets the kernel's size",
                         expected="(batch, timesteps, features) with features a number", error=UnknownDimError)
            if self.stateful and batch.value is None:
                ctx.fail("When using `stateful=True` in a RNN, the batch size must be static. Found dynamic batch "
                         f"size: sequence.shape={x.values()}",
                         expected="a fixed batch size",
                         fix="give the input a batch size: Input(shape=..., batch_size=32) (or batch_shape=...)")
            if _custom_cell(self.cell):  # its call(inputs, states) on one step: (output, new states)
                states = _state_shapes(_state_size(self.cell), batch, ctx)
                out, cell_ctx = call_inner(ctx, self.cell, Spec(step_shape), f"cell: {self.cell.name}", states)
                out = flatten(out)[0]
            else:
                out, cell_ctx = call_inner(ctx, self.cell, Spec(step_shape), f"cell: {self.cell.name}")
            if cell_ctx.param_formula is not None:
                ctx.formula(cell_ctx.param_formula)
            if cell_ctx.unit_text:
                ctx.units(cell_ctx.unit_text)
            ctx.notes.extend(cell_ctx.notes)
            units = out.shape[-1]
        else:
            # compute_output_shape: the cell's output_size; the cell is neither built nor asked again
            units = ctx.const(_output_size(self.cell), "units")
            first = self.cell.cells[0] if isinstance(self.cell, StackedRNNCells) else self.cell
            if len(step_shape) > 1 and not _custom_cell(first):
                ctx.built_for("kernel", 0, step_shape[-1], "features", layer=first)

        if self.return_sequences:
            result = ctx.spec((batch, timesteps, units))
            ctx.note("return_sequences=True passes on the hidden state at every timestep: "
                     "(batch, timesteps, units)")
        else:
            result = ctx.spec((batch, units))
            ctx.note("return_sequences=False keeps only the hidden state after the last timestep: (batch, units)")
        if self.go_backwards:
            ctx.note("go_backwards=True reads the sequence from its last timestep to its first (the shape is "
                     "the same)")
        if self.stateful:
            ctx.note(f"stateful=True carries the final state of each of the {batch.value} samples over to the "
                     f"next batch (which is why the batch size must be fixed); the states are not weights")
        ctx.free("the same weights are applied at every timestep, so the sequence length never changes the "
                 "count")
        if self.return_state:
            states = _state_shapes(_state_size(self.cell), batch, ctx)
            names = "h, c" if len(states) == 2 and isinstance(self.cell, LSTMCell) else f"{len(states)}"
            ctx.note(f"return_state=True also returns the final state{'s' if len(states) > 1 else ''} "
                     f"({names}), each (batch, units): the layer has {1 + len(states)} outputs")
            return [result, *states]
        return result


    def _fast_path(self):
        """Keras's torch backend runs LSTM and GRU (reset_after=True) with its own loop over whole-sequence
        products (no recurrent dropout, no mask); everything else through the generic RNN loop."""
        cell = self.cell
        return type(self).__name__ in ("LSTM", "GRU") and not cell.recurrent_dropout and \
            (type(self).__name__ == "LSTM" or cell.reset_after) and getattr(self, "use_cudnn", "auto") != False

    def compute(self, c):
        x = c.inputs[0]
        axes = c.axes(0, "batch", "timesteps", "features") if x.rank == 3 else c.axes(0, "batch", "timesteps", ...)
        batch, timesteps = axes[0], axes[1]
        features = axes[-1] if len(axes) == 3 else product(axes[2:])
        if _custom_cell(self.cell):
            c.declared = False
            c.note(f"the work of {type(self.cell).keras_name}.call() at each timestep is not counted (a cell the "
                   "snippet defines)")
            return
        cells = self.cell.cells if isinstance(self.cell, StackedRNNCells) else [self.cell]
        fast = self._fast_path() and not c.kwargs.get("mask") and not c.masked
        step_in = features
        sizes = []
        for cell in cells:
            units = cell.step_cost(c, batch, step_in, timesteps)
            sizes.append((cell, units, step_in))
            step_in = units
        if fast:
            cell, units, _ = sizes[0]
            c.saves(product(axes), "input, time-major (a copy)")
            c.saves(cell._loop_saves()[0] * timesteps * batch * units, "gates and states at every timestep")
            if self.cell.dropout and c.grad_input:
                c.saves(batch * features, "the input's dropout mask")
            return
        # the generic loop: Keras's torch backend runs the step once before the loop (twice for stacked cells)
        extra = 2 if isinstance(self.cell, StackedRNNCells) else 1
        one_step = sum(cell.gates * batch * f * u + cell.gates * batch * u * u for cell, u, f in sizes)
        if not self.unroll:  # (an unrolled loop runs each step once)
            c.counter_extra(extra * one_step, "Keras's torch backend runs the step function "
                                              f"{'twice' if extra == 2 else 'once'} before its loop over the "
                                              "timesteps")
        if len(cells) > 1:
            c.saves_input(0, "input")
            for cell, units, _ in sizes:
                per_step, const = cell._loop_saves()
                c.saves((per_step * (timesteps + extra) + const) * batch * units,
                        f"{cell.name}'s gates and states at every timestep")
            return
        cell, units, _ = sizes[0]
        steps = timesteps if self.unroll else timesteps + 1
        if cell._input_dropout():
            # each step's products read a dropped copy of its input (one per gate when they are split)
            masks = cell._masks()
            c.saves(masks * steps * batch * features, "the dropped input at every step")
            if c.grad_input:
                c.saves(masks * batch * features, "the input's dropout masks")
        else:
            c.saves_input(0, "input")
            if self.go_backwards and not self.unroll:
                c.saves(product(axes), "input, reversed (a copy)")
        per_step, initial, shared = cell._loop_structure()
        count = per_step * steps + initial - (0 if self.unroll else shared)
        c.saves(count * batch * units, f"{cell.name}'s gates and states at every timestep")


class _Recurrent(RNN):
    """SimpleRNN, GRU and LSTM: an RNN whose cell Keras creates with an explicit name (no auto-name used)."""

    cell_class = None
    cell_name = None
    _ndim = 3

    def __init__(self, cell_args, return_sequences=False, return_state=False, go_backwards=False, stateful=False,
                 unroll=False, use_cudnn="auto", activity_regularizer=None, **kwargs):
        cell = self.cell_class(**cell_args, dtype=kwargs.get("dtype"), trainable=kwargs.get("trainable", True),
                               name=self.cell_name)
        super().__init__(cell, return_sequences=return_sequences, return_state=return_state,
                         go_backwards=go_backwards, stateful=stateful, unroll=unroll,
                         activity_regularizer=activity_regularizer, **kwargs)
        if use_cudnn not in ("auto", True, False):
            raise ArgumentError("Invalid valid received for argument `use_cudnn`. Expected one of "
                                f"{{'auto', True, False}}. Received: use_cudnn={use_cudnn}",
                                layer_type=type(self).__name__)
        self.use_cudnn = use_cudnn
        self._layer_args = dict(cell_args)
        if use_cudnn != "auto":
            self._layer_args["use_cudnn"] = use_cudnn

    def _clone(self, name, **overrides):
        config = {**self._layer_args, **self._rnn_config, **overrides}
        return type(self)(name=name, trainable=self.trainable, dtype=self.dtype, **config)

    @property
    def units(self):
        return self.cell.units

    @property
    def activation(self):
        return self.cell.activation

    @property
    def use_bias(self):
        return self.cell.use_bias

    @property
    def reset_after(self):
        return self.cell.reset_after

    @property
    def dropout(self):
        return self.cell.dropout

    @property
    def recurrent_dropout(self):
        return self.cell.recurrent_dropout


@register()
class SimpleRNN(_Recurrent):
    cell_class = SimpleRNNCell
    cell_name = "simple_rnn_cell"

    def __init__(self, units, activation="tanh", use_bias=True, kernel_initializer="glorot_uniform",
                 recurrent_initializer="orthogonal", bias_initializer="zeros", kernel_regularizer=None,
                 recurrent_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, recurrent_constraint=None, bias_constraint=None, dropout=0.0,
                 recurrent_dropout=0.0, return_sequences=False, return_state=False, go_backwards=False,
                 stateful=False, unroll=False, seed=None, **kwargs):
        super().__init__(dict(units=units, activation=activation, use_bias=use_bias, dropout=dropout,
                              recurrent_dropout=recurrent_dropout),
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, activity_regularizer=activity_regularizer, **kwargs)


@register()
class GRU(_Recurrent):
    cell_class = GRUCell
    cell_name = "gru_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, reset_after=True,
                 use_cudnn="auto", **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                              use_bias=use_bias, dropout=dropout, recurrent_dropout=recurrent_dropout,
                              reset_after=reset_after),
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, use_cudnn=use_cudnn,
                         activity_regularizer=activity_regularizer, **kwargs)


@register()
class LSTM(_Recurrent):
    cell_class = LSTMCell
    cell_name = "lstm_cell"

    def __init__(self, units, activation="tanh", recurrent_activation="sigmoid", use_bias=True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal", bias_initializer="zeros",
                 unit_forget_bias=True, kernel_regularizer=None, recurrent_regularizer=None, bias_regularizer=None,
                 activity_regularizer=None, kernel_constraint=None, recurrent_constraint=None,
                 bias_constraint=None, dropout=0.0, recurrent_dropout=0.0, seed=None, return_sequences=False,
                 return_state=False, go_backwards=False, stateful=False, unroll=False, use_cudnn="auto",
                 **kwargs):
        kwargs.pop("implementation", None)
        super().__init__(dict(units=units, activation=activation, recurrent_activation=recurrent_activation,
                              use_bias=use_bias, unit_forget_bias=unit_forget_bias, dropout=dropout,
                              recurrent_dropout=recurrent_dropout),
                         return_sequences=return_sequences, return_state=return_state, go_backwards=go_backwards,
                         stateful=stateful, unroll=unroll, use_cudnn=use_cudnn,
                         activity_regularizer=activity_regularizer, **kwargs)


__all__ = ["GRU", "GRUCell", "LSTM", "LSTMCell", "RNN", "SimpleRNN", "SimpleRNNCell", "StackedRNNCells"]

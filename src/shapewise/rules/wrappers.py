"""Wrappers: a layer that runs another layer. Wrapper (the base), TimeDistributed, Bidirectional.

TimeDistributed applies one inner layer — the same weights — to every timestep: the inner layer sees
``(batch, *rest)``, and the timestep axis is put back after it, so the parameter count is the inner layer's and
never depends on the number of timesteps.

Bidirectional runs two copies of a recurrent layer, one reading the sequence forwards and one backwards (Keras
rebuilds both from the given layer's config, named ``forward_<name>`` and ``backward_<name>``; these explicit
names use no auto-name counter). The weights are the forward layer's, then the backward layer's: twice the
count. ``merge_mode`` joins the two outputs: ``concat`` (the feature axis doubles), ``sum``/``mul``/``ave``
(the same shape), or ``None`` (two outputs). Keras computes the output shape from the forward layer only.
"""

from __future__ import annotations

from ..compute import Cost
from ..dims import Named, product
from ..engine import Layer, Spec, flatten, register
from ..errors import ArgumentError
from .rnn import RNN, call_inner

_MERGE_MODES = ["sum", "mul", "ave", "concat", None]


def _removeprefix(name, prefix):
    return name[len(prefix):] if name.startswith(prefix) else name


@register()
class Wrapper(Layer):
    """Base of the wrappers: holds ``layer``; ``trainable`` propagates to it."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure wrapped layer is "
                "a valid Keras layer.", layer_type=type(self).__name__)
        super().__init__(**kwargs)
        self.layer = layer
        self._sublayers = [layer]

    def infer(self, ctx, x, **kwargs):
        if type(self) is not Wrapper and not ctx.called:
            # a snippet's subclass being built before its call() runs: Keras's Wrapper.build only builds the
            # inner layer, which the subclass's call builds when it calls self.layer
            return x
        ctx.fail("the base Wrapper class has no call(): subclass it (e.g. TimeDistributed, Bidirectional)",
                 expected="a concrete wrapper")


@register()
class TimeDistributed(Wrapper):
    supports_masking = True  # (as in Keras)
    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Please initialize `TimeDistributed` layer with a `keras.layers.Layer` instance. Received: "
                f"{layer}", layer_type="TimeDistributed",
                fix="pass a layer instance, e.g. TimeDistributed(Dense(8))")
        super().__init__(layer, **kwargs)

    @property
    def weights(self):
        if getattr(self.layer, "lora_enabled", False) and self.layer.lora_keeps_order and self._weights:
            return list(self._weights)  # Keras lists the wrapped layer's weights in its order (a LoRA-frozen kernel)
        return super().weights

    def infer(self, ctx, x, mask=None, training=None):
        if x.rank < 3:
            ctx.fail(
                "`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
                f"received: {x.values()}",
                expected="(batch, timesteps, ...): at least 3 dimensions",
                fix="TimeDistributed applies its layer to each step of axis 1; the input needs that axis plus "
                    "the axes the inner layer reads (e.g. (batch, timesteps, features) for Dense)")
        if x.rank == 3:
            batch, timesteps, *rest = ctx.bind(x, "batch", "timesteps", "features")
        else:
            batch, timesteps, *rest = ctx.bind(x, "batch", "timesteps", ...)
        # Keras builds the inner layer (when it is not built yet) and asks its compute_output_shape: the inner
        # layer is never called here, so its InputSpec (its rank check) is not asserted
        inner, child = call_inner(ctx, self.layer, Spec((batch, *rest), x.dtype), f"inner: {self.layer.name}")
        if isinstance(inner, (list, tuple)):
            ctx.fail(f"the inner layer {self.layer.name} returns several tensors; TimeDistributed needs one",
                     expected="an inner layer with a single output")
        if child.param_formula is not None:
            ctx.formula(child.param_formula)
        inner_text = "(" + ", ".join(["batch"] + [a.role for a in rest]) + ")"
        ctx.note(f"the same inner {type(self.layer).keras_name} (same weights) is applied to each of the "
                 f"{timesteps.text() if timesteps.value is not None else 'timesteps'} timesteps: it sees "
                 f"{inner_text} and the timesteps axis is put back as axis 1")
        ctx.notes.extend(child.notes)
        if child.weights:
            ctx.free("the inner layer's weights are shared by every timestep, so the number of timesteps never "
                     "changes the count")
        if child.unit_text:
            ctx.units(f"{self.layer.name}: {child.unit_text} — at every timestep, with the same weights")
            child.unit_text = None  # said once, above
        return ctx.spec((inner.shape[0], timesteps, *inner.shape[1:]), inner.dtype)

    def compute(self, c):
        # Keras folds the timesteps into the batch and runs the inner layer once on (batch·timesteps, ...)
        batch, timesteps, *rest = c.axes(0)
        folded = Named("batch·timesteps", batch * timesteps)
        out = c.out(0)
        inner_in = Spec((folded, *rest), c.inputs[0].dtype)
        inner_out = Spec((folded, *out[2:]), c.outputs[0].dtype)
        c.local.add(id(folded))
        start = len(c.saved)
        sub = c.sublayer(self.layer, [inner_in], [inner_out], views=True)
        # what is saved: Keras's torch backend runs the inner layer once per timestep (a Python loop over
        # inputs[i], views of the input, when the time axis is known): a tensor the inner layer keeps at each
        # call (a channels-first copy, a kernel in torch's layout, its output) is kept once per timestep
        fn = getattr(type(self.layer), "compute", None)
        if timesteps.value is not None and fn is not None:
            del c.saved[start:]
            step_in = Spec((batch, *rest), c.inputs[0].dtype)
            step_out = Spec((batch, *out[2:]), c.outputs[0].dtype)
            step = Cost(self.layer, None, [step_in], [step_out])
            step.grad_input = c.grad_input
            fn(self.layer, step)
            whole = product(c.axes(0))
            for key, size, what, kind, for_weights in step.saved:
                if key == id(step_in):  # each step's input is a view of the input: its storage
                    c.saved.append((id(c.inputs[0]), whole, what, kind, for_weights))
                else:
                    c.saved.append((None, timesteps * size, f"{what}, at every timestep", kind, for_weights))
        for out_id, in_id in sub.aliases:  # an inner view of its input: ours is a view of our input
            if out_id == id(inner_out) and in_id == id(inner_in):
                c.view()


@register()
class Bidirectional(Layer):
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        mask = previous_mask[0] if isinstance(previous_mask, list) else previous_mask
        if self.return_sequences:
            output_mask = [mask, mask] if not self.merge_mode else mask
        else:
            output_mask = [None, None] if not self.merge_mode else None
        if self.return_state:  # the states carry no mask
            return (output_mask if isinstance(output_mask, list) else [output_mask])
        return output_mask
    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if not isinstance(layer, Layer):
            raise ArgumentError(
                f"Please initialize `Bidirectional` layer with a `keras.layers.Layer` instance. Received: "
                f"{layer}", layer_type="Bidirectional", fix="pass a recurrent layer, e.g. Bidirectional(LSTM(32))")
        if backward_layer is not None and not isinstance(backward_layer, Layer):
            raise ArgumentError(
                f"`backward_layer` need to be a `keras.layers.Layer` instance. Received: {backward_layer}",
                layer_type="Bidirectional")
        if merge_mode not in _MERGE_MODES:
            raise ArgumentError(
                f"Invalid merge mode. Received: {merge_mode}. Merge mode should be one of "
                '{"sum", "mul", "ave", "concat", None}', layer_type="Bidirectional")
        super().__init__(**kwargs)
        if not isinstance(layer, RNN):
            # Keras rebuilds the layer from its config with go_backwards=True, which a non-recurrent layer does not
            # accept (or, with backward_layer given, has no go_backwards to compare).
            raise ArgumentError(
                f"Bidirectional needs a recurrent layer (LSTM, GRU, SimpleRNN, RNN); {type(layer).keras_name} "
                "has no `go_backwards` and cannot be run backwards",
                layer_type="Bidirectional", fix="wrap a recurrent layer, e.g. Bidirectional(LSTM(32))")
        self.forward_layer = layer._clone(f"forward_{_removeprefix(layer.name, 'forward_')}")
        if backward_layer is None:
            self.backward_layer = layer._clone(f"backward_{_removeprefix(layer.name, 'backward_')}",
                                               go_backwards=True)
        else:
            if not isinstance(backward_layer, RNN):
                raise ArgumentError(
                    f"the backward layer must be a recurrent layer; {type(backward_layer).keras_name} has no "
                    "`go_backwards`", layer_type="Bidirectional")
            self.backward_layer = backward_layer
        self._verify_layer_config()
        self.merge_mode = merge_mode
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self._sublayers = [self.forward_layer, self.backward_layer]
        self._identical = backward_layer is None

    def _verify_layer_config(self):
        f, b = self.forward_layer, self.backward_layer
        if f.go_backwards == b.go_backwards:
            raise ArgumentError(
                "Forward layer and backward layer should have different `go_backwards` value. Received: "
                f"forward_layer.go_backwards {f.go_backwards}, backward_layer.go_backwards={b.go_backwards}",
                layer_type="Bidirectional", fix="create the backward layer with go_backwards=True")
        for a in ("stateful", "return_sequences", "return_state"):
            fv, bv = getattr(f, a), getattr(b, a)
            if fv != bv:
                raise ArgumentError(
                    f'Forward layer and backward layer are expected to have the same value for attribute "{a}", '
                    f'got "{fv}" for forward layer and "{bv}" for backward layer', layer_type="Bidirectional",
                    fix=f"give both layers the same {a}")

    def infer(self, ctx, x, initial_state=None, mask=None, training=None):
        fwd, bwd = self.forward_layer, self.backward_layer
        if self.return_state and self.stateful:
            # Keras 3 (3.15) crashes here: Bidirectional.compute_mask multiplies a generator of state masks by 2
            # ("unsupported operand type(s) for *: 'generator' and 'int'") once the stateful layers hold states.
            ctx.fail("Keras 3 cannot build a stateful Bidirectional layer with return_state=True: its "
                     "compute_mask fails (\"unsupported operand type(s) for *: 'generator' and 'int'\")",
                     expected="stateful=False, or return_state=False",
                     fix="drop return_state=True (or stateful=True); or use two separate recurrent layers, one "
                         "with go_backwards=True, and concatenate their outputs")
        if fwd._ndim is not None and x.rank != fwd._ndim and ctx.called:  # the forward layer's InputSpec
            ctx.fail(f"Input 0 of layer '{self.name}' is incompatible with the layer: expected ndim=3, found "
                     f"ndim={x.rank}. Full shape received: {x.values()}",
                     expected="(batch, timesteps, features)",
                     fix=("set return_sequences=True on the recurrent layer before this one, so it passes on the "
                          "whole sequence" if x.rank == 2 else "feed a 3D tensor: (batch, timesteps, features)"))
        bound = ctx.bind(x, "batch", "timesteps", "features") if x.rank == 3 else ctx.bind(x, "batch", ...)
        seq = Spec(bound, x.dtype)
        # build() builds both layers; compute_output_shape asks the forward layer only
        y, fctx = call_inner(ctx, fwd, seq, f"forward: {fwd.name}")
        if ctx.building:
            _, bctx = call_inner(ctx, bwd, seq, f"backward: {bwd.name}")
        else:
            bctx = fctx

        # Keras's compute_output_shape uses the forward layer only (even when backward_layer differs).
        states = []
        if self.return_state:
            y, states = y[0], list(y[1:])
        kind = type(fwd).keras_name
        kind_b = type(bwd).keras_name
        two = f"two {kind}s" if self._identical else f"a {kind} and a {kind_b}"
        ctx.note(f"{two} read the sequence in opposite directions (the backward one from the last timestep to "
                 f"the first)")
        out_units = y.shape[-1]
        mode = self.merge_mode
        if mode == "concat":
            doubled = ctx.derive("features", 2 * out_units)
            out = [ctx.spec((*y.shape[:-1], doubled))]
            ctx.note("merge_mode='concat' joins the two outputs on the feature axis, which doubles it: 2·units")
        elif mode is None:
            out = [ctx.spec(y.shape), ctx.spec(y.shape)]
            ctx.note("merge_mode=None returns the forward and the backward outputs separately (two outputs)")
        else:
            how = {"sum": "adds", "mul": "multiplies", "ave": "averages"}[mode]
            out = [ctx.spec(y.shape)]
            ctx.note(f"merge_mode='{mode}' {how} the two outputs element by element: the shape is one "
                     f"direction's")
        if self._identical and fctx.param_formula is not None:
            ctx.formula(2 * fctx.param_formula)
        elif fctx.param_formula is not None and bctx.param_formula is not None:
            ctx.formula(fctx.param_formula + bctx.param_formula)
        ctx.free("each direction applies its own weights at every timestep, so the sequence length never "
                 "changes the count")
        if fctx.unit_text:
            ctx.units(f"forward ({fwd.name}): {fctx.unit_text}; backward ({bwd.name}): the same, with its own "
                      f"weights" if self._identical else
                      f"forward ({fwd.name}): {fctx.unit_text}; backward ({bwd.name}): {bctx.unit_text}")
            fctx.unit_text = bctx.unit_text = None  # said once, above
        if self.return_state:
            ctx.note(f"return_state=True adds the final states of both directions: {len(states)} forward, then "
                     f"{len(states)} backward")
            out = out + [ctx.spec(s.shape) for s in states] * 2
        if len(out) == 1:
            return out[0]
        return out

    def compute(self, c):
        x = c.inputs[0]
        out = c.out(0)
        per_direction = out if self.merge_mode != "concat" else (*out[:-1], self.forward_layer.cell.output_size
                                                                 if hasattr(self.forward_layer, "cell") else out[-1])
        y = Spec(per_direction)
        c.sublayer(self.forward_layer, [x], [y])
        # the same input: the backward layer (go_backwards=True) declares the reversed copy it reads
        c.sublayer(self.backward_layer, [x], [Spec(per_direction)])
        n = product(per_direction)
        if self.merge_mode in ("sum", "ave"):
            c.ops((2 if self.merge_mode == "ave" else 1) * n, f"merge_mode='{self.merge_mode}'")
        elif self.merge_mode == "mul":
            c.ops(n, "merge_mode='mul'")
            c.saves(2 * n, "both directions' outputs")


__all__ = ["Bidirectional", "TimeDistributed", "Wrapper", "flatten"]


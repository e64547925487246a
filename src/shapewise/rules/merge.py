"""Merge layers: Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate, Dot, and their functional forms.

None of them has weights. The elementwise ones (Add ... Minimum) combine inputs value by value, so their shapes
must agree axis by axis (an axis of size 1 is broadcast; a shorter input is lined up with the last axes).
Concatenate lays its inputs side by side along one axis, which must be the only axis where they differ. Dot takes
the dot product of two inputs along one axis of each, removing those axes.

The checks follow Keras 3's ``Merge.build``/``compute_output_shape`` (keras/src/layers/merging) exactly,
including their quirks, so that shapewise fails where Keras fails and succeeds where it succeeds.
"""

from __future__ import annotations

import functools

from ..compute import no_compute
from ..dims import Known, product
from ..engine import Layer, Spec, mask_op, register, register_function
from ..errors import ArgumentError


def _values(spec):
    return tuple(d.value for d in spec.shape)


def _fmt(values):
    inner = ", ".join("None" if v is None else str(v) for v in values)
    return f"({inner},)" if len(values) == 1 else f"({inner})"


def _fmt_list(specs):
    return "[" + ", ".join(_fmt(_values(s)) for s in specs) + "]"


_SUBSCRIPTS = "₀₁₂₃₄₅₆₇₈₉"


def _sub(i):
    return "".join(_SUBSCRIPTS[int(c)] for c in str(i))


@functools.lru_cache(maxsize=None)
def _axis_roles(rank):
    """The readable names of all the axes of an input of rank ``rank``."""
    return tuple(_axis_role(rank, a) for a in range(rank))


def _axis_role(rank, axis):
    """A readable name for axis ``axis`` of an input of rank ``rank`` (batch first, features last)."""
    if axis == 0:
        return "batch"
    if axis == rank - 1:
        return "features"
    return f"axis {axis}"


def _check_flat(ctx, inputs):
    """Every input must be one tensor, not a list (Keras fails on the nested shape it then gets)."""
    for item in inputs:
        if not isinstance(item, Spec):  # e.g. the [output, h, c] list of a layer with return_state=True
            ctx.fail(
                "Inputs have incompatible shapes: one of the inputs is itself a list of tensors, not a tensor",
                expected="a flat list of tensors, e.g. layer([a, b])",
                fix="pick one tensor from the list (a layer with return_state=True returns [output, *states]: "
                    "use its [0])")


# The explanation's sentences, composed only when an explanation is read (Context.note and units take a function
# and its arguments).

def _merge_note(layer, inputs):
    return layer._note(inputs)


def _merge_units(op):
    return f"no units and no weights: the output is a fixed function of the inputs ({op})"


def _concat_note(what, axis, parts, total):
    label = "the feature axes are" if what == "features" else "the inputs are"
    where = "" if what == "features" else f" along {what} (axis={axis})"
    if len(parts) == 1:
        return "a single input is passed through unchanged"
    if total.value is not None:
        sizes = " + ".join(str(p.value) for p in parts)
        return f"{label} laid side by side{where}: {sizes} = {total.value}; every other axis must match"
    return (f"{label} laid side by side{where}; one of their sizes is unknown, so the result is "
            f"unknown too; every other axis must match")


class _Merge(Layer):
    """Base of the elementwise merges: shape checks of Keras's ``Merge``."""
    supports_masking = True  # (as in Keras)

    def compute_mask(self, inputs, previous_mask):
        # Keras's Merge.compute_mask: the masks or-ed (Add, Subtract, Average, Maximum, Minimum, Multiply)
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)) or \
                any(m is None for m in previous_mask):
            return None
        output_mask = previous_mask[0]
        for m in previous_mask[1:]:
            output_mask = mask_op("logical_or", output_mask, m)
        return output_mask

    #: how the values are combined, for the explanation
    verb = "combined"
    op = "?"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)

    # Keras's Merge._compute_elemwise_op_output_shape on Dims (batch axis excluded).
    def _elemwise(self, ctx, shape1, shape2):
        if len(shape1) < len(shape2):
            return self._elemwise(ctx, shape2, shape1)
        if not shape2:
            return shape1
        out = list(shape1[: -len(shape2)])
        for i, j in zip(shape1[-len(shape2):], shape2):
            if i.value is None or j.value is None:
                out.append(i if i.value is None else j)  # Keras: unknown when either is unknown
            elif i.value == 1:
                out.append(j)
            elif j.value == 1:
                out.append(i)
            else:
                if i.value != j.value:
                    ctx.fail(
                        f"Inputs have incompatible shapes. Received shapes {_fmt(tuple(d.value for d in shape1))} "
                        f"and {_fmt(tuple(d.value for d in shape2))}",
                        expected="inputs whose sizes agree on every axis (or are 1, which is broadcast)",
                        fix="make the shapes match, e.g. with a Dense or Reshape layer on one branch",
                    )
                out.append(i)
        return out

    def _check_list(self, ctx, inputs):
        if isinstance(inputs, Spec):
            ctx.fail(
                f"A merge layer should be called on a list of inputs. Received: input_shape="
                f"{_fmt(_values(inputs))} (not a list of shapes)",
                expected="a list of tensors, e.g. layer([a, b])",
                fix=f"call it on a list: {type(self).__name__}()([a, b])",
            )
        inputs = list(inputs)
        if not inputs:
            ctx.fail("A merge layer should be called on a list of at least 1 input. Received 0 inputs.",
                     expected="a list of at least one tensor")
        _check_flat(ctx, inputs)
        return inputs

    def _check_batch(self, ctx, inputs):
        batch_sizes = {s.shape[0].value for s in inputs if s.rank} - {None}
        if len(batch_sizes) > 1:
            ctx.fail(
                f"Cannot merge tensors with different batch sizes. Received tensors with shapes "
                f"{_fmt_list(inputs)}",
                expected="the same batch size for every input",
                fix="give every Input the same batch_size (or none)",
            )
        return batch_sizes

    def infer(self, ctx, inputs, **kwargs):
        inputs = self._check_list(ctx, inputs)
        if ctx.building:  # build(); compute_output_shape only combines the shapes
            self._check_count(ctx, inputs)
            self._check_batch(ctx, inputs)
        bound = [ctx.bind(s, *_axis_roles(s.rank)) for s in inputs]
        out = list(bound[0][1:])
        for b in bound[1:]:
            out = self._elemwise(ctx, out, list(b[1:]))
        # Keras: the one known batch size if any input has one, else unknown
        batch = next((b[0] for b in bound if b[0].value is not None), bound[0][0])
        ctx.note(_merge_note, self, inputs)
        ctx.units(_merge_units, self.op)
        return ctx.spec((batch, *out))

    def _note(self, inputs):
        n = len(inputs)
        if n == 1:
            return f"a single input is passed through unchanged ({self.verb} with nothing)"
        if len({_values(s)[1:] for s in inputs}) == 1:
            return (f"the {n} inputs have the same shape, so they are {self.verb} value by value "
                    f"({self.op}); the shape is unchanged")
        extra = (" (a lower-rank input is lined up with the last axes)" if len({s.rank for s in inputs}) > 1
                 else "")
        return (f"the {n} inputs are {self.verb} value by value ({self.op}); an axis of size 1 is "
                f"broadcast to the other input's size{extra}")

    def _check_count(self, ctx, inputs):
        pass

    #: other ops per output element for n inputs, and whether the backward reads the operands
    def _ops(self, n):
        return n - 1

    saves_operands = False

    def compute(self, c):
        n = len(c.inputs)
        out = product(c.out(0))
        if n > 1:
            c.ops(product((self._ops(n), *c.out(0))), self.op)
        if self.saves_operands and n > 1:
            # Keras combines the inputs two at a time: each product (or max) reads both its operands
            for i in range(n):
                c.saves_input(i, f"input {i}")
            for _ in range(n - 2):
                c.saves(out, "an intermediate result")


@register()
class Add(_Merge):
    verb = "added"
    op = "a + b + ..."


@register()
class Subtract(_Merge):
    verb = "subtracted"
    op = "a − b"

    def _check_count(self, ctx, inputs):
        pass

    def infer(self, ctx, inputs, **kwargs):
        inputs_list = self._check_list(ctx, inputs)
        out = super().infer(ctx, inputs_list, **kwargs)
        if len(inputs_list) != 2 and ctx.building:  # Keras checks this in build(), after Merge.build's checks
            ctx.fail(
                f"A `Subtract` layer should be called on exactly 2 inputs. Received: input_shape="
                f"{_fmt_list(inputs_list)}",
                expected="exactly 2 inputs: [a, b] gives a − b",
                fix="subtract two tensors at a time",
            )
        return out


@register()
class Multiply(_Merge):
    verb = "multiplied"
    op = "a · b · ..."
    saves_operands = True


@register()
class Average(_Merge):
    verb = "averaged"
    op = "(a + b + ...) / n"

    def _ops(self, n):
        return n  # the additions and the division


@register()
class Maximum(_Merge):
    verb = "compared"
    op = "the largest value at each position"
    saves_operands = True


@register()
class Minimum(_Merge):
    verb = "compared"
    op = "the smallest value at each position"
    saves_operands = True


@register()
class Concatenate(_Merge):
    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis

    def compute_mask(self, inputs, previous_mask):
        # Keras's Concatenate.compute_mask: each input's mask at the input's rank (all true where it has none),
        # concatenated on the axis, then any() over the last axis
        if previous_mask is None or not isinstance(previous_mask, (list, tuple)) or \
                all(m is None for m in previous_mask):
            return None
        masks = []
        for input_i, mask_i in zip(inputs, previous_mask):
            if mask_i is None:
                masks.append(mask_op("ones_like", input_i, dtype="bool"))
            elif mask_i.ndim < input_i.ndim:
                masks.append(mask_op("logical_or", mask_op("expand_dims", mask_i, axis=-1),
                                     mask_op("zeros_like", input_i, dtype="bool")))
            else:
                masks.append(mask_i)
        return mask_op("any", mask_op("concatenate", masks, axis=self.axis), axis=-1, keepdims=False)

    compute = no_compute  # a copy into one tensor: no arithmetic, nothing saved

    def infer(self, ctx, inputs, **kwargs):
        axis = self.axis
        if isinstance(inputs, Spec) or not inputs:
            got = _fmt(_values(inputs)) if isinstance(inputs, Spec) else "[]"
            ctx.fail(
                f"A `Concatenate` layer should be called on a list of at least 1 input. Received: "
                f"input_shape={got}",
                expected="a list of tensors, e.g. Concatenate()([a, b])",
                fix="call it on a list of tensors",
            )
        inputs = list(inputs)
        _check_flat(ctx, inputs)
        # Keras's Concatenate.build, faithfully (its removal of size-1 axes never triggers: it compares whole
        # shapes to 1; an axis >= rank removes nothing; a negative axis removes from the end). A built layer
        # skips it: compute_output_shape only adds up the sizes on the axis.
        shape_set = set() if ctx.building else {()}
        for s in inputs if ctx.building else ():
            reduced = list(_values(s))
            if len(reduced) > axis:
                try:
                    del reduced[axis]
                except IndexError:
                    self._bad_axis(ctx, inputs)
            shape_set.add(tuple(reduced))
        if len(shape_set) != 1:
            ranks = {len(s) for s in shape_set}
            if len(ranks) != 1:
                self._mismatch(ctx, inputs)
            (rank,) = ranks
            for a in range(rank):
                if len({s[a] for s in shape_set if s[a] is not None}) > 1:
                    self._mismatch(ctx, inputs)
        # Keras's compute_output_shape: the first input's shape, with the sizes on the axis added up.
        first = inputs[0]
        rank = first.rank
        for s in inputs:
            if not -s.rank <= axis < s.rank:
                self._bad_axis(ctx, inputs)
        pos = axis % rank
        n = len(inputs)
        names = [f"{_axis_role(rank, pos)}{_sub(i + 1)}" if n > 1 else _axis_role(rank, pos) for i in range(n)]
        bound = []
        for i, s in enumerate(inputs):
            roles = list(_axis_roles(s.rank))
            roles[axis % s.rank] = names[i]
            bound.append(ctx.bind(s, *roles))
        out = list(bound[0])
        parts = [b[axis] for b in bound]
        total = parts[0]
        for p in parts[1:]:
            total = total + p  # unknown (None) as soon as one part is, as in Keras; the expression is kept
        what = _axis_role(rank, pos)
        out[axis] = ctx.derive(what, total) if n > 1 else parts[0]
        ctx.note(_concat_note, what, axis, parts, total)
        ctx.units("no units and no weights: the values are only placed next to each other")
        return ctx.spec(out)

    def _mismatch(self, ctx, inputs):
        err = ("A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis. "
               f"Received: input_shape={_fmt_list(inputs)}")
        ctx.fail(err, expected=f"shapes that agree on every axis except axis={self.axis}",
                 fix="check which axis you concatenate on (axis=-1 is the last), or reshape one branch so the "
                     "other axes match")

    def _bad_axis(self, ctx, inputs):
        ctx.fail(f"axis={self.axis} is out of range for inputs of shapes {_fmt_list(inputs)}",
                 expected=f"an axis between {-inputs[0].rank} and {inputs[0].rank - 1}",
                 fix="use axis=-1 to concatenate on the last axis")


@register()
class Dot(_Merge):
    def compute_mask(self, inputs, previous_mask):
        return None

    def __init__(self, axes, normalize=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise ArgumentError(
                    f"Invalid type for argument `axes`: it should be a list or an int. Received: axes={axes}",
                    layer_type="Dot")
            if len(axes) != 2:
                raise ArgumentError(
                    f"Invalid format for argument `axes`: it should contain two elements. Received: axes={axes}",
                    layer_type="Dot")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ArgumentError(
                    f"Invalid format for argument `axes`: list elements should be integers. Received: axes={axes}",
                    layer_type="Dot")
        self.axes = axes
        self.normalize = normalize

    def infer(self, ctx, inputs, **kwargs):
        if not isinstance(inputs, Spec):
            _check_flat(ctx, inputs)
        if isinstance(inputs, Spec) or len(inputs) != 2:
            got = _fmt(_values(inputs)) if isinstance(inputs, Spec) else _fmt_list(inputs)
            ctx.fail(f"A `Dot` layer should be called on a list of 2 inputs. Received: input_shape={got}",
                     expected="exactly 2 inputs: Dot(axes)([a, b])", fix="take the dot product of two tensors")
        a, b = inputs
        if isinstance(self.axes, int):
            axes = [self.axes % a.rank, self.axes % b.rank] if self.axes < 0 else [self.axes] * 2
        else:
            axes = list(self.axes)
        for s, ax in zip((a, b), axes):
            if not -s.rank <= ax < s.rank:
                ctx.fail(f"axes={self.axes} is out of range for inputs of shapes {_fmt_list(inputs)}",
                         expected="an axis of each input (not the batch axis)",
                         fix="axes=-1 takes the dot product along the last axis of both")
        pa, pb = axes[0] % a.rank, axes[1] % b.rank
        roles_a = [_axis_role(a.rank, i) for i in range(a.rank)]
        roles_b = [_axis_role(b.rank, i) for i in range(b.rank)]
        roles_a = [f"{r}₁" if r != "batch" else r for r in roles_a]
        roles_b = [f"{r}₂" if r != "batch" else r for r in roles_b]
        roles_a[pa] = roles_b[pb] = "summed"
        roles_b[pb] = "summed₂"
        da = ctx.bind(a, *roles_a)
        db = ctx.bind(b, *roles_b)
        x, y = da[axes[0]], db[axes[1]]
        if x.value != y.value and ctx.building:  # build(); compute_output_shape only drops the two axes
            ctx.fail(
                f"Incompatible input shapes: axis values {x.value} (at axis {axes[0]}) != {y.value} "
                f"(at axis {axes[1]}). Full input shapes: {_fmt(_values(a))}, {_fmt(_values(b))}",
                expected="the same size on the two axes the dot product runs over",
                fix="choose axes whose sizes agree, e.g. Dot(axes=(2, 2)) for two (batch, steps, features) inputs",
            )
        out_a = list(da)
        out_b = list(db)
        out_a.pop(axes[0])
        out_b.pop(axes[1])
        out_b.pop(0)
        out = out_a + out_b
        if len(out) == 1:
            out.append(Known(1))
        norm = " after L2-normalizing both along those axes (cosine similarity)" if self.normalize else ""
        ctx.note(f"the products of the two inputs are summed along axis {pa} of the first and axis {pb} of the "
                 f"second{norm} (size {x.value}); those axes disappear, the first input's other axes are followed "
                 f"by the second's (without its batch axis)")
        ctx.units("no units and no weights: a fixed product of the two inputs")
        return ctx.spec(out)

    def compute(self, c):
        a, b = c.inputs
        axes = [self.axes % a.rank, self.axes % b.rank] if isinstance(self.axes, int) else list(self.axes)
        summed = c.axes(0)[axes[0] % a.rank]
        out = [d for d in c.out(0)]
        c.macs(product(out) * summed, "the products summed along the dot axis")
        if self.normalize:
            c.ops(3 * (product(c.axes(0)) + product(c.axes(1))), "L2-normalizing both inputs")
            c.saves(product(c.axes(0)), "first input, normalized")
            c.saves(product(c.axes(1)), "second input, normalized")
        else:
            c.saves_input(0, "first input")
            c.saves_input(1, "second input")


# --------------------------------------------------------------------------------------------------------------
# Functional forms: keras.layers.add([...]) etc. build the layer with the keyword arguments and call it.


@register_function("add")
def add(inputs, **kwargs):
    return Add(**kwargs)(inputs)


@register_function("subtract")
def subtract(inputs, **kwargs):
    return Subtract(**kwargs)(inputs)


@register_function("multiply")
def multiply(inputs, **kwargs):
    return Multiply(**kwargs)(inputs)


@register_function("average")
def average(inputs, **kwargs):
    return Average(**kwargs)(inputs)


@register_function("maximum")
def maximum(inputs, **kwargs):
    return Maximum(**kwargs)(inputs)


@register_function("minimum")
def minimum(inputs, **kwargs):
    return Minimum(**kwargs)(inputs)


@register_function("concatenate")
def concatenate(inputs, axis=-1, **kwargs):
    return Concatenate(axis=axis, **kwargs)(inputs)


@register_function("dot")
def dot(inputs, axes=-1, **kwargs):
    return Dot(axes=axes, **kwargs)(inputs)

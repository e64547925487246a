"""Random Keras model source code, for differential testing of shapewise against real Keras 3.

``cases()`` is a hypothesis strategy of :class:`Case`: Python source that uses the names ``keras`` and ``layers``
and leaves the model in ``model`` (the format ``oracle.run_keras``/``run_shapewise_api`` execute), plus, for
every source line, which layer it creates or calls. Models are Sequential stacks (``add`` or list form) and
functional graphs with branches, merges, attention, shared layers, nested models used as layers, multi-output
layers and frozen parts. The generator tracks shapes so most models are valid; about one in five is made
invalid on purpose at one step (a layer given the wrong rank, a kernel bigger than its input, a Reshape of the
wrong size, mismatched merges, a shared layer or nested model called on the wrong shape, a bad argument).

Every layer gets its own line: ``lN = layers.X(...)`` (construction), then the line that calls it. Both sides run
the same source, so when they fail they must fail on the same line, and shapewise's error must name the layer
that line calls (see :func:`compare`). Only layers whose class name is in ``shapewise.engine.REGISTRY`` are
drawn, so the generator keeps working while rules land; ``TABLE`` lists every layer it knows.
"""

from __future__ import annotations

import dataclasses
import math
import os
import sys
import traceback
import warnings

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(__file__))

from hypothesis import strategies as st  # noqa: E402

# ---------------------------------------------------------------------------------------------------------------
# Shapes are tuples including the batch axis (always None); other dims are small ints or None (unknown).

ACTIVATIONS = ["relu", "tanh", "sigmoid", "softmax", "linear", "gelu", "elu", None]


def _conv_len(n, k, s, padding, d=1):
    if n is None:
        return None
    if padding == "valid":
        eff = (k - 1) * d + 1
        return (n - eff) // s + 1
    return -(-n // s)  # same / causal


def _deconv_len(n, k, s, padding, d=1, output_padding=None):
    if n is None:
        return None
    k = k + (k - 1) * (d - 1)
    if output_padding is None:
        return n * s + max(k - s, 0) if padding == "valid" else n * s
    pad = k // 2 if padding == "same" else 0
    return (n - 1) * s + k - 2 * pad + output_padding


def _pool_len(n, p, s, padding):
    if n is None:
        return None
    return (n - p) // s + 1 if padding == "valid" else -(-n // s)


def _tup(v, n):
    return tuple(v) if isinstance(v, (tuple, list)) else (v,) * n


def _ok(shape):
    """A shape the chain can continue from: every known dim positive."""
    return shape is not None and all(d is None or d > 0 for d in shape[1:])


class Draw:
    """Small helpers over hypothesis's ``draw``."""

    def __init__(self, draw):
        self.draw = draw

    def int(self, lo, hi):
        return self.draw(st.integers(lo, hi))

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def flip(self, p_true=0.5):
        # integers() in steps of 1/20 keeps it cheap and shrinkable (shrinks towards False)
        return self.draw(st.integers(0, 19)) >= round(20 * (1 - p_true))

    def dim_arg(self, v, n):
        """An int, or (half the time) the same as an n-tuple."""
        vs = _tup(v, n)
        if len(set(vs)) == 1 and self.flip():
            return vs[0]
        return vs


# ---------------------------------------------------------------------------------------------------------------
# The layer table: class name -> LayerSpec(ranks accepted, kwargs(d, shape, valid), out(shape, kwargs)).
# ``kwargs`` returns the constructor's keyword arguments as a dict of Python values (rendered with repr), plus
# optional positional args under "_args"; with ``valid`` False it may return a configuration Keras rejects for
# this input. ``out`` gives the output shape (a list of shapes for several outputs), or None if unknown/invalid.


@dataclasses.dataclass
class LayerSpec:
    name: str
    ranks: tuple
    kwargs: object
    out: object
    family: str = "single"  # single | merge | attention | wrapper
    can_break: bool = False  # kwargs(valid=False) produces a configuration Keras rejects
    shape_preserving: bool = False


TABLE = {}


def spec(name, ranks, family="single", can_break=False, shape_preserving=False):
    def deco(fn):
        kwargs_fn, out_fn = fn()
        TABLE[name] = LayerSpec(name, tuple(ranks), kwargs_fn, out_fn, family, can_break, shape_preserving)
        return fn

    return deco


def _same_shape(shape, kw):
    return shape


def _simple(name, ranks, make_kwargs, can_break=False):
    spec(name, ranks, can_break=can_break, shape_preserving=True)(lambda: (make_kwargs, _same_shape))


# --- core ------------------------------------------------------------------------------------------------------


@spec("Dense", range(2, 6), can_break=True)
def _dense():
    def kw(d, shape, valid):
        out = {"_args": [d.int(1, 8) if valid else d.pick([0, -2])]}
        if d.flip(0.3):
            out["activation"] = d.pick(ACTIVATIONS)
        if d.flip(0.2):
            out["use_bias"] = False
        if d.flip(0.1):
            out["lora_rank"] = d.int(1, 3)
        return out

    return kw, lambda shape, kw: shape[:-1] + (kw["_args"][0],) if shape[-1] is not None else None


@spec("EinsumDense", (2, 3), can_break=True)
def _einsum():
    def kw(d, shape, valid):
        u = d.int(1, 6)
        if len(shape) == 2:
            out = {"_args": ["ab,bc->ac", u]}
            if d.flip(0.5):
                out["bias_axes"] = "c"
        elif d.flip():
            t = shape[1] if d.flip(0.7) else None
            out = {"_args": ["abc,cd->abd", (t, u)]}
            if d.flip(0.5):
                out["bias_axes"] = "d"
        else:
            h = d.int(1, 3)
            out = {"_args": ["abc,cde->abde", (shape[1], h, u)]}
            if d.flip(0.5):
                out["bias_axes"] = d.pick(["de", "e"])
        if not valid:
            eq, osh = out["_args"]
            osh = _tup(osh, 1)
            out["_args"] = [eq, d.pick([osh + (2,), osh[:-1]]) if len(osh) > 1 else (u, 2)]
        return out

    def out(shape, kw):
        eq, osh = kw["_args"]
        osh = _tup(osh, 1)
        if len(shape) == 2:
            return (None,) + osh
        osh = tuple(shape[1] if i == 0 and o is None else o for i, o in enumerate(osh))
        return (None,) + osh

    return kw, out


@spec("Embedding", (2, 3))
def _embedding():
    def kw(d, shape, valid):
        out = {"_args": [d.int(2, 50), d.int(1, 6)]}
        if d.flip(0.2):
            out["mask_zero"] = True
        return out

    return kw, lambda shape, kw: shape + (kw["_args"][1],)


@spec("Flatten", range(2, 6))
def _flatten():
    def out(shape, kw):
        if any(x is None for x in shape[1:]):
            return (None, None)
        return (None, math.prod(shape[1:]))

    return (lambda d, shape, valid: {}), out


def _factor(n, parts, d):
    """n split into `parts` positive factors (random)."""
    out = []
    for _ in range(parts - 1):
        divs = [k for k in range(1, n + 1) if n % k == 0]
        k = d.pick(divs)
        out.append(k)
        n //= k
    out.append(n)
    return out


@spec("Reshape", range(2, 6), can_break=True)
def _reshape():
    def kw(d, shape, valid):
        known = all(x is not None for x in shape[1:])
        size = math.prod(shape[1:]) if known else None
        parts = d.int(1, 3)
        if size is None:
            target = [-1] + [1] * (parts - 1)
            if not valid:
                target = [2, 3]
            return {"_args": [tuple(target)]}
        target = _factor(size, parts, d)
        if d.flip(0.3):
            target[d.int(0, parts - 1)] = -1
        if not valid:
            if -1 in target:
                target = [x for x in target if x != -1] + [size + 1, -1]
            else:
                target[-1] += 1
        return {"_args": [tuple(target)]}

    def out(shape, kw):
        target = list(kw["_args"][0])
        if -1 in target:
            rest = math.prod(x for x in target if x != -1)
            if any(x is None for x in shape[1:]):
                target[target.index(-1)] = None
            else:
                target[target.index(-1)] = math.prod(shape[1:]) // rest
        return (None,) + tuple(target)

    return kw, out


@spec("Permute", (3, 4, 5))
def _permute():
    def kw(d, shape, valid):
        dims = list(range(1, len(shape)))
        perm = d.draw(st.permutations(dims))
        return {"_args": [tuple(perm)]}

    return kw, lambda shape, kw: (None,) + tuple(shape[i] for i in kw["_args"][0])


@spec("RepeatVector", (2,))
def _repeat():
    return (lambda d, shape, valid: {"_args": [d.int(1, 4)]}), lambda shape, kw: (None, kw["_args"][0], shape[1])


_simple("Dropout", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.0, 0.1, 0.5])]})
_simple("Activation", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([a or "linear" for a in ACTIVATIONS])]})
_simple("Identity", range(2, 6), lambda d, shape, valid: {})
_simple("Masking", range(3, 6), lambda d, shape, valid: {"mask_value": d.pick([0.0, -1.0])})
_simple("Rescaling", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([1 / 255, 2.0])],
                                                          **({"offset": -1.0} if d.flip(0.3) else {})})
_simple("GaussianDropout", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.1, 0.3])]})
_simple("GaussianNoise", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.1, 1.0])]})
_simple("AlphaDropout", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.1, 0.3])]})
_simple("ActivityRegularization", range(2, 6), lambda d, shape, valid: {"l1": d.pick([0.0, 0.01])})
_simple("ReLU", range(2, 6), lambda d, shape, valid: {"max_value": 6.0} if d.flip(0.3) else {})
_simple("LeakyReLU", range(2, 6), lambda d, shape, valid: {"negative_slope": 0.1} if d.flip(0.3) else {})
_simple("ELU", range(2, 6), lambda d, shape, valid: {})
_simple("Softmax", range(2, 6), lambda d, shape, valid: {"axis": -1} if d.flip(0.3) else {})
_simple("SpatialDropout1D", (3,), lambda d, shape, valid: {"_args": [0.2]})
_simple("SpatialDropout2D", (4,), lambda d, shape, valid: {"_args": [0.2]})
_simple("SpatialDropout3D", (5,), lambda d, shape, valid: {"_args": [0.2]})


@spec("PReLU", range(2, 6), shape_preserving=True)
def _prelu():
    def kw(d, shape, valid):
        if len(shape) >= 3 and d.flip(0.4):
            return {"shared_axes": sorted(d.draw(st.sets(st.integers(1, len(shape) - 2), min_size=1)))}
        return {}

    return kw, _same_shape


# --- normalization ---------------------------------------------------------------------------------------------


def _axis_kw(d, shape, valid, extra=None):
    out = dict(extra or {})
    if len(shape) >= 3 and d.flip(0.25):
        out["axis"] = d.int(1, len(shape) - 1) if d.flip() else d.int(-(len(shape) - 1), -1)
    if not valid:
        out["axis"] = len(shape) + d.int(0, 2)
    return out


_simple("BatchNormalization", range(2, 6),
        lambda d, shape, valid: _axis_kw(d, shape, valid, {"center": False} if d.flip(0.2) else {}), True)
_simple("LayerNormalization", range(2, 6),
        lambda d, shape, valid: _axis_kw(d, shape, valid, {"scale": False} if d.flip(0.2) else {}), True)
_simple("UnitNormalization", range(2, 6), lambda d, shape, valid: _axis_kw(d, shape, valid), True)
_simple("RMSNormalization", range(2, 6), lambda d, shape, valid: _axis_kw(d, shape, valid), True)
_simple("Normalization", range(2, 6), lambda d, shape, valid: _axis_kw(d, shape, valid), True)


@spec("GroupNormalization", range(3, 6), can_break=True, shape_preserving=True)
def _groupnorm():
    def kw(d, shape, valid):
        c = shape[-1] or 1
        divs = [k for k in range(1, c + 1) if c % k == 0]
        g = d.pick(divs) if valid else d.pick([k for k in range(2, c + 3) if c % k] or [c + 1])
        return {"groups": g}

    return kw, _same_shape


# --- convolution, pooling, resampling --------------------------------------------------------------------------


def _conv_kw(d, shape, valid, n, *, filters=True, groups=False, causal=False, dilation=True, depth=False,
             transpose=False):
    spatial = shape[1:-1]
    padding = d.pick(["valid", "same"] + (["causal"] if causal else []))
    ks, ss = [], []
    strided = d.flip(0.3)
    dil = 2 if (dilation and not strided and d.flip(0.2)) else 1
    for dim in spatial:
        hi = 3 if dim is None or padding != "valid" or transpose else max(1, min(4, (dim - 1) // dil + 1))
        ks.append(d.int(1, hi))
        ss.append(d.int(1, 2) if strided else 1)
    if not valid:
        # a kernel bigger than the input (needs a known axis and valid padding)
        known = [i for i, dim in enumerate(spatial) if dim is not None]
        padding = "valid"
        dil = 1
        if known:
            i = d.pick(known)
            ks[i] = spatial[i] + d.int(1, 3)
        else:
            ks[0] = 0  # a zero kernel: rejected by the constructor
    out = {}
    if filters:
        out["_args"] = [d.int(1, 6), d.dim_arg(tuple(ks), n)]
    else:
        out["_args"] = [d.dim_arg(tuple(ks), n)]
    if any(s != 1 for s in ss):
        out["strides"] = d.dim_arg(tuple(ss), n)
    if padding != "valid" or d.flip(0.2):
        out["padding"] = padding
    if dil != 1:
        out["dilation_rate"] = dil
    if groups and d.flip(0.2) and shape[-1]:
        c = shape[-1]
        g = d.pick([k for k in range(1, c + 1) if c % k == 0])
        out["groups"] = g
        out["_args"][0] = g * d.int(1, 3)
    if depth and d.flip(0.3):
        out["depth_multiplier"] = d.int(1, 3)
    if d.flip(0.15):
        out["use_bias"] = False
    if d.flip(0.15):
        out["activation"] = d.pick(ACTIVATIONS)
    return out


def _conv_out(n, *, transpose=False, channels="filters"):
    def out(shape, kw):
        ks = _tup(kw["_args"][-1], n)
        ss = _tup(kw.get("strides", 1), n)
        pad = kw.get("padding", "valid")
        dil = kw.get("dilation_rate", 1)
        if transpose:
            sp = tuple(_deconv_len(x, k, s, pad, dil) for x, k, s in zip(shape[1:-1], ks, ss))
        else:
            sp = tuple(_conv_len(x, k, s, pad, dil) for x, k, s in zip(shape[1:-1], ks, ss))
        if channels == "filters":
            c = kw["_args"][0]
        else:
            c = None if shape[-1] is None else shape[-1] * kw.get("depth_multiplier", 1)
        return (None,) + sp + (c,)

    return out


for _n in (1, 2, 3):
    TABLE[f"Conv{_n}D"] = LayerSpec(
        f"Conv{_n}D", (_n + 2,),
        (lambda n: lambda d, shape, valid: _conv_kw(d, shape, valid, n, groups=True, causal=n == 1))(_n),
        _conv_out(_n), can_break=True)
    TABLE[f"Conv{_n}DTranspose"] = LayerSpec(
        f"Conv{_n}DTranspose", (_n + 2,),
        (lambda n: lambda d, shape, valid: _conv_kw(d, shape, valid, n, dilation=False, transpose=True))(_n),
        _conv_out(_n, transpose=True), can_break=True)
for _n in (1, 2):
    TABLE[f"SeparableConv{_n}D"] = LayerSpec(
        f"SeparableConv{_n}D", (_n + 2,),
        (lambda n: lambda d, shape, valid: _conv_kw(d, shape, valid, n, depth=True))(_n),
        _conv_out(_n), can_break=True)
    TABLE[f"DepthwiseConv{_n}D"] = LayerSpec(
        f"DepthwiseConv{_n}D", (_n + 2,),
        (lambda n: lambda d, shape, valid: _conv_kw(d, shape, valid, n, filters=False, depth=True))(_n),
        _conv_out(_n, channels="depth"), can_break=True)


def _pool_kw(n):
    def kw(d, shape, valid):
        spatial = shape[1:-1]
        padding = d.pick(["valid", "same"])
        ps = [d.int(1, 3 if x is None or padding == "same" else max(1, min(3, x))) for x in spatial]
        if not valid:
            padding = "valid"
            known = [i for i, x in enumerate(spatial) if x is not None]
            if known:
                i = d.pick(known)
                ps[i] = spatial[i] + d.int(1, 2)
            else:
                ps[0] = 0
        out = {"pool_size": d.dim_arg(tuple(ps), n)}
        if d.flip(0.3):
            out["strides"] = d.int(1, 2)
        if padding != "valid" or d.flip(0.2):
            out["padding"] = padding
        return out

    def out(shape, kw):
        ps = _tup(kw["pool_size"], n)
        ss = _tup(kw["strides"], n) if kw.get("strides") else ps
        return (None,) + tuple(_pool_len(x, p, s, kw.get("padding", "valid"))
                               for x, p, s in zip(shape[1:-1], ps, ss)) + (shape[-1],)

    return kw, out


def _global_out(shape, kw):
    if kw.get("keepdims"):
        return (None,) + (1,) * (len(shape) - 2) + (shape[-1],)
    return (None, shape[-1])


def _upsample_out(n):
    def out(shape, kw):
        size = _tup(kw.get("size", 2), n)
        return (None,) + tuple(None if x is None else x * s for x, s in zip(shape[1:-1], size)) + (shape[-1],)

    return out


def _zeropad_out(n):
    def out(shape, kw):
        p = kw.get("padding", 1)
        pads = [_tup(q, 2) for q in _tup(p, n)] if not isinstance(p, int) else [(p, p)] * n
        return (None,) + tuple(None if x is None else x + a + b for x, (a, b) in zip(shape[1:-1], pads)) + (
            shape[-1],)

    return out


def _crop_kw(n):
    def kw(d, shape, valid):
        crops = []
        for x in shape[1:-1]:
            room = 4 if x is None else max(0, x - 1)
            a = d.int(0, min(2, room))
            b = d.int(0, min(2, room - a))
            crops.append((a, b))
        if not valid:
            known = [i for i, x in enumerate(shape[1:-1]) if x is not None]
            i = d.pick(known) if known else 0
            x = shape[1 + i] or 3
            crops[i] = (x, d.int(0, 1))
        if n == 1:
            return {"cropping": crops[0] if d.flip(0.7) else crops[0][0]} if crops[0][0] == crops[0][1] else {
                "cropping": crops[0]}
        return {"cropping": tuple(crops)}

    def out(shape, kw):
        c = kw["cropping"]
        crops = [_tup(c, 2)] if n == 1 else [_tup(q, 2) for q in c]
        return (None,) + tuple(None if x is None else x - a - b for x, (a, b) in zip(shape[1:-1], crops)) + (
            shape[-1],)

    return kw, out


for _n in (1, 2, 3):
    for _kind in ("Max", "Average"):
        _k, _o = _pool_kw(_n)
        TABLE[f"{_kind}Pooling{_n}D"] = LayerSpec(f"{_kind}Pooling{_n}D", (_n + 2,), _k, _o, can_break=True)
        TABLE[f"Global{_kind}Pooling{_n}D"] = LayerSpec(
            f"Global{_kind}Pooling{_n}D", (_n + 2,),
            lambda d, shape, valid: {"keepdims": True} if d.flip(0.3) else {}, _global_out)
    TABLE[f"UpSampling{_n}D"] = LayerSpec(
        f"UpSampling{_n}D", (_n + 2,),
        (lambda n: lambda d, shape, valid: {"size": d.dim_arg(tuple(d.int(1, 3) for _ in range(n)), n)}
         if n > 1 else {"size": d.int(1, 3)})(_n), _upsample_out(_n))
    TABLE[f"ZeroPadding{_n}D"] = LayerSpec(
        f"ZeroPadding{_n}D", (_n + 2,),
        (lambda n: lambda d, shape, valid: {"padding": d.int(0, 2)} if n == 1 or d.flip() else
         {"padding": tuple((d.int(0, 2), d.int(0, 2)) for _ in range(n))})(_n), _zeropad_out(_n))
    _k, _o = _crop_kw(_n)
    TABLE[f"Cropping{_n}D"] = LayerSpec(f"Cropping{_n}D", (_n + 2,), _k, _o, can_break=True)


def _adaptive_kw(n):
    def kw(d, shape, valid):
        sizes = tuple(d.int(1, 4) for _ in range(n))
        if not valid:
            sizes = (0,) + sizes[1:]
        return {"_args": [d.dim_arg(sizes, n) if n > 1 else (sizes[0] if d.flip() else sizes)]}

    def out(shape, kw):
        return (None,) + _tup(kw["_args"][0], n) + (shape[-1],)

    return kw, out


for _n in (1, 2, 3):
    for _kind in ("Max", "Average"):
        _k, _o = _adaptive_kw(_n)
        TABLE[f"Adaptive{_kind}Pooling{_n}D"] = LayerSpec(f"Adaptive{_kind}Pooling{_n}D", (_n + 2,), _k, _o,
                                                          can_break=True)


def _convlstm(n):
    def kw(d, shape, valid):
        out = _conv_kw(d, (None,) + shape[2:], valid, n, dilation=False)
        out.pop("strides", None)
        if out.get("padding") == "causal":
            out["padding"] = "same"
        out.pop("activation", None)
        if d.flip(0.4):
            out["return_sequences"] = True
        return out

    def out(shape, kw):
        inner = _conv_out(n)((None,) + shape[2:], kw)
        return (None, shape[1]) + inner[1:] if kw.get("return_sequences") else inner

    return kw, out


for _n in (1, 2, 3):
    _k, _o = _convlstm(_n)
    TABLE[f"ConvLSTM{_n}D"] = LayerSpec(f"ConvLSTM{_n}D", (_n + 3,), _k, _o, can_break=True)


# --- recurrent -------------------------------------------------------------------------------------------------


def _rnn_kw(name):
    def kw(d, shape, valid):
        out = {"_args": [d.int(1, 6) if valid else 0]}
        if d.flip(0.4):
            out["return_sequences"] = True
        if d.flip(0.15):
            out["use_bias"] = False
        if name == "GRU" and d.flip(0.3):
            out["reset_after"] = False
        if d.flip(0.1):
            out["go_backwards"] = True
        return out

    return kw


def _rnn_out(shape, kw):
    u = kw["_args"][0]
    main = (None, shape[1], u) if kw.get("return_sequences") else (None, u)
    if kw.get("return_state"):
        return [main] + [(None, u)] * kw["_states"]
    return main


for _name in ("SimpleRNN", "GRU", "LSTM"):
    TABLE[_name] = LayerSpec(_name, (3,), _rnn_kw(_name), _rnn_out, can_break=True)


@spec("RNN", (3,))
def _rnn_generic():
    def kw(d, shape, valid):
        cells = [c for c in ("SimpleRNNCell", "GRUCell", "LSTMCell") if c in _registry()]
        if not cells:
            cells = ["SimpleRNNCell"]
        if "StackedRNNCells" in _registry() and d.flip(0.3):
            picked = [d.pick(cells) for _ in range(2)]
            units = [d.int(1, 5) for _ in picked]
            inner = ", ".join(f"layers.{c}({u})" for c, u in zip(picked, units))
            cell = _Raw(f"layers.StackedRNNCells([{inner}])")
            u = units[-1]
        else:
            u = d.int(1, 5)
            cell = _Raw(f"layers.{d.pick(cells)}({u})")
        out = {"_args": [cell], "_units": u}
        if d.flip(0.4):
            out["return_sequences"] = True
        return out

    def out(shape, kw):
        u = kw["_units"]
        return (None, shape[1], u) if kw.get("return_sequences") else (None, u)

    return kw, out


@spec("Bidirectional", (3,), family="wrapper")
def _bidirectional():
    def kw(d, shape, valid):
        rnn = d.pick([c for c in ("LSTM", "GRU", "SimpleRNN") if c in _registry()] or ["LSTM"])
        u = d.int(1, 5)
        seq = d.flip(0.4)
        inner = f"layers.{rnn}({u}" + (", return_sequences=True" if seq else "") + ")"
        out = {"_args": [_Raw(inner)], "_units": u, "_seq": seq}
        if d.flip(0.4):
            out["merge_mode"] = d.pick(["concat", "sum", "mul", "ave"])
        return out

    def out(shape, kw):
        u = kw["_units"] * (2 if kw.get("merge_mode", "concat") == "concat" else 1)
        return (None, shape[1], u) if kw["_seq"] else (None, u)

    return kw, out


@spec("TimeDistributed", (3, 4, 5), family="wrapper")
def _time_distributed():
    def kw(d, shape, valid):
        inner_shape = (None,) + shape[2:]
        choices = [n for n in ("Dense", "Flatten", "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D")
                   if n in _registry() and len(inner_shape) in TABLE[n].ranks]
        if not choices:
            choices = ["Dense"]
        name = d.pick(choices)
        ikw = TABLE[name].kwargs(d, inner_shape, True)
        return {"_args": [_Raw(_construct(name, ikw))], "_inner": (name, ikw)}

    def out(shape, kw):
        name, ikw = kw["_inner"]
        o = TABLE[name].out((None,) + shape[2:], ikw)
        return None if o is None else (None, shape[1]) + o[1:]

    return kw, out


@spec("SpectralNormalization", (2, 3, 4))
def _spectral():
    def kw(d, shape, valid):
        choices = [n for n in ("Dense", "Conv1D", "Conv2D") if n in _registry() and len(shape) in TABLE[n].ranks]
        name = d.pick(choices or ["Dense"])
        ikw = TABLE[name].kwargs(d, shape, True)
        return {"_args": [_Raw(_construct(name, ikw))], "_inner": (name, ikw)}

    def out(shape, kw):
        name, ikw = kw["_inner"]
        return TABLE[name].out(shape, ikw)

    return kw, out


# --- merges and attention (functional only) --------------------------------------------------------------------

for _name in ("Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"):
    TABLE[_name] = LayerSpec(_name, range(2, 6), lambda d, shape, valid: {}, None, family="merge")
TABLE["Concatenate"] = LayerSpec("Concatenate", range(2, 6), lambda d, shape, valid: {}, None, family="merge")
TABLE["Dot"] = LayerSpec("Dot", (2, 3), lambda d, shape, valid: {}, None, family="merge")
for _name in ("MultiHeadAttention", "Attention", "AdditiveAttention", "GroupedQueryAttention"):
    TABLE[_name] = LayerSpec(_name, (3,), lambda d, shape, valid: {}, None, family="attention")

@spec("Lambda", range(2, 6), shape_preserving=True)
def _lambda():
    # shapewise cannot run the function: only the output_shape= form is drawn, with the right shape
    def kw(d, shape, valid):
        fn = d.pick(["lambda t: t * 2", "lambda t: t + 1.0", "lambda t: -t"])
        return {"_args": [_Raw(fn)], "output_shape": tuple(shape[1:])}

    return kw, _same_shape


# --- preprocessing and augmentation ----------------------------------------------------------------------------

_simple("RandomFlip", range(2, 6), lambda d, shape, valid: {"_args": [d.pick(["horizontal", "vertical",
                                                                               "horizontal_and_vertical"])]})
_simple("RandomRotation", range(2, 6), lambda d, shape, valid: {
    "_args": [d.pick([0.1, (-0.2, 0.3)]) if valid else 1.5],
    **({"fill_mode": d.pick(["constant", "nearest", "wrap"])} if d.flip(0.3) else {})}, can_break=True)
_simple("RandomZoom", range(2, 6), lambda d, shape, valid: {
    "_args": [d.pick([0.2, (-0.3, 0.1)]) if valid else -1.0], **({"width_factor": 0.1} if d.flip(0.3) else {})},
    can_break=True)
_simple("RandomTranslation", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.1, 0.2]), 0.1 if valid
                                                                              else 2.0]}, can_break=True)
_simple("RandomContrast", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.2, 0.5]) if valid else 1.5]},
        can_break=True)
_simple("RandomBrightness", range(2, 6), lambda d, shape, valid: {"_args": [d.pick([0.2, (-0.1, 0.3)])],
                                                                  "value_range": d.pick([(0, 1), (0, 255)])})


def _hw_kw(d, shape, valid):
    return {"_args": [d.int(1, 6), d.int(1, 6)]}


def _hw_out(shape, kw):
    h, w = kw["_args"]
    return (None, h, w, shape[-1]) if len(shape) == 4 else None


for _name in ("Resizing", "CenterCrop", "RandomCrop"):
    TABLE[_name] = LayerSpec(_name, (4,), _hw_kw, _hw_out)


#: Registered names that are not layers a model is built from directly, with why.
NOT_DRAWN = {
    "InputLayer": "made by keras.Input",
    "SimpleRNNCell": "a cell: drawn inside RNN(...)", "GRUCell": "a cell: drawn inside RNN(...)",
    "LSTMCell": "a cell: drawn inside RNN(...)", "StackedRNNCells": "drawn inside RNN(...)",
    "Wrapper": "abstract base class of the wrappers",
    "ReversibleEmbedding": "keras_hub's, not in keras.layers",
    **{name: "an augmentation that keeps the shape like the Random* layers drawn; tested in "
             "test_preprocessing_keras" for name in (
        "AugMix", "AutoContrast", "ContrastLimitedAdaptiveHistogramEqualization", "CutMix", "MaxNumBoundingBoxes",
        "MixUp", "RandAugment", "RandomColorDegeneration", "RandomColorJitter", "RandomElasticTransform",
        "RandomErasing", "RandomGaussianBlur", "RandomGrayscale", "RandomHue", "RandomInvert", "RandomPerspective",
        "RandomPosterization", "RandomSaturation", "RandomSharpness", "RandomShear", "Solarization")},
    "Equalization": "Keras 3.15.1 refuses every model built through it (its output is its input: a cycle)",
    "Pipeline": "a list of layers: test_preprocessing_keras",
    **{name: "needs integer/string inputs or TensorFlow in real Keras: test_preprocessing_keras" for name in (
        "CategoryEncoding", "Discretization", "Hashing", "HashedCrossing", "IntegerLookup", "StringLookup",
        "TextVectorization")},
    **{name: "audio (a waveform input): test_preprocessing_keras" for name in ("MelSpectrogram", "STFTSpectrogram")},
}


class _Raw:
    """Source text rendered as is (an inner layer)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def _registry():
    import shapewise.rules  # noqa: F401  (registers every layer family)
    from shapewise.engine import REGISTRY

    return REGISTRY


def _aliases(name):
    reg = _registry()
    cls = reg.get(name)
    return sorted(k for k, c in reg.items() if c is cls and k != name and k not in NOT_DRAWN)


def available():
    """Layer names the generator may draw now: in TABLE and registered in shapewise."""
    reg = _registry()
    return sorted(n for n in TABLE if n in reg)


#: Keras exports some classes only under another name (keras.layers has GroupQueryAttention, whose class is
#: GroupedQueryAttention).
SPELLING = {"GroupedQueryAttention": "GroupQueryAttention"}


def _construct(name, kw):
    name = SPELLING.get(name, name)
    args = [repr(a) for a in kw.get("_args", [])]
    args += [f"{k}={v!r}" for k, v in kw.items() if not k.startswith("_")]
    return f"layers.{name}({', '.join(args)})"


# ---------------------------------------------------------------------------------------------------------------
# Model builder


@dataclasses.dataclass
class Case:
    source: str
    #: line number (1-based) -> ("construct", class name) | ("call", [layer variable names])
    lines: dict
    intended_valid: bool
    types: frozenset

    def __str__(self):
        return self.source


class _Builder:
    def __init__(self, d, avail):
        self.d = d
        self.avail = avail
        self.lines = []  # (text, info)
        self.n = 0
        self.types = set()
        self.layer_io = {}  # var -> (input shape, output shape) of its first call
        self.broken = False
        self.functional = False

    def var(self, prefix):
        self.n += 1
        return f"{prefix}{self.n}"

    def emit(self, text, info=None):
        self.lines.append((text, info))

    # --- one layer -------------------------------------------------------------------------------------------
    def candidates(self, shape, families=("single", "wrapper")):
        return [n for n in self.avail if TABLE[n].family in families and len(shape) in TABLE[n].ranks]

    def new_layer(self, name, shape, valid):
        """Emit ``lN = layers.Name(...)``; return (var, kwargs)."""
        d = self.d
        if len(shape) not in TABLE[name].ranks:
            # a layer given the wrong rank: draw its arguments for a shape it does accept
            shape = self.random_shape(d.pick(TABLE[name].ranks))
        kw = TABLE[name].kwargs(d, shape, valid)
        if name in ("LSTM", "GRU") and self.functional and d.flip(0.15):
            kw["return_state"] = True
            kw["_states"] = 2 if name == "LSTM" else 1
        if d.flip(0.05):
            kw["name"] = f"blk{self.n + 1}"
        v = self.var("l")
        spelled = name
        aliases = _aliases(name)
        if aliases and d.flip(0.1):
            spelled = d.pick(aliases)  # Keras's other name for the class (Convolution2D, MaxPool2D, ...)
        self.emit(f"{v} = {_construct(spelled, kw)}", ("construct", name))
        self.types.add(name)
        if name == "SpectralNormalization" or name == "TimeDistributed":
            self.types.add(kw["_inner"][0])
        if d.flip(0.07):
            self.emit(f"{v}.trainable = False")
        return v, kw

    def pick_single(self, shape, valid):
        """A single-input layer for ``shape``: (name, layer is valid for it)."""
        d = self.d
        ok = self.candidates(shape)
        # rank-specific layers (Conv1D, LSTM, ...) share a rank with many generic ones (Dense, Dropout, ...):
        # weight them up so each is drawn often enough
        weighted = [n for n in ok for _ in range(4 if len(TABLE[n].ranks) <= 2 else 1)]
        if valid or not self.avail:
            return (d.pick(weighted), True) if ok else (None, True)
        breakable = [n for n in ok if TABLE[n].can_break]
        wrong_rank = [n for n in self.avail if TABLE[n].family in ("single", "wrapper")
                      and len(shape) not in TABLE[n].ranks]
        options = [("break", n) for n in breakable] + [("rank", n) for n in wrong_rank]
        if not options:
            return (d.pick(ok), True) if ok else (None, True)
        how, name = d.pick(options)
        return name, how != "rank"

    # --- sequential --------------------------------------------------------------------------------------------
    def sequential(self, shape, n_layers, valid, target=None, allow_nested=True, deferred=False):
        """Emit a Sequential model; returns (model var, output shape)."""
        d = self.d
        self.functional = False
        mv = self.var("m") if target is None else target
        bad_at = d.int(0, n_layers - 1) if not valid else -1
        style = d.pick(["add", "add", "list"])
        # deferred: no input at all, built when first called (only for a Sequential used as a layer)
        first_input = "none" if deferred else d.pick(["Input", "Input", "Input", "input_shape"])
        layer_vars = []
        seq_lines = []
        cur = shape
        if first_input == "Input":
            entries = [f"keras.Input(shape={tuple(shape[1:])!r})"]
        else:
            entries = []
        for i in range(n_layers):
            if cur is None:
                break
            step_valid = i != bad_at
            if allow_nested and step_valid and (i > 0 or first_input == "Input") and d.flip(0.08):
                inner_v, out = self.nested(cur)
                layer_vars.append(inner_v)
                cur = out
                continue
            name, shape_ok = self.pick_single(cur, step_valid)
            if name is None:
                break
            kw_valid = step_valid or not shape_ok
            v, kw = self.new_layer(name, cur, kw_valid)
            if i == 0 and first_input == "input_shape":
                # rewrite the construction line with input_shape=
                text, info = self.lines[-1 - (1 if self.lines[-1][1] is None else 0)]
                idx = len(self.lines) - 1 - (1 if self.lines[-1][1] is None else 0)
                self.lines[idx] = (text[:-1] + (", " if text[-2] != "(" else "")
                                   + f"input_shape={tuple(shape[1:])!r})", info)
            layer_vars.append(v)
            if not step_valid:
                self.broken = True
                cur = None
            else:
                cur = self._out(name, cur, kw)
        if style == "list" or not layer_vars:
            items = ", ".join(entries + layer_vars)
            self.emit(f"{mv} = keras.Sequential([{items}])", ("call", list(layer_vars)))
        else:
            self.emit(f"{mv} = keras.Sequential()")
            for e in entries:
                self.emit(f"{mv}.add({e})")
            for v in layer_vars:
                self.emit(f"{mv}.add({v})", ("call", [v]))
        del seq_lines
        return mv, cur

    def _out(self, name, shape, kw):
        try:
            out = TABLE[name].out(shape, kw)
        except Exception:  # noqa: BLE001 - the tracker is approximate; stop the chain
            return None
        if isinstance(out, list):
            return out
        return out if _ok(out) else None

    def nested(self, shape, functional=None):
        """A small inner model built for ``shape``, used as a layer. Returns (var, output shape)."""
        d = self.d
        saved = self.functional
        n = d.int(1, 3)
        if functional is None:
            functional = d.flip(0.4)
        if functional:
            iv = self.var("ii")
            self.emit(f"{iv} = keras.Input(shape={tuple(shape[1:])!r})")
            cur, t = shape, iv
            for _ in range(n):
                name, _ok_ = self.pick_single(cur, True)
                if name is None:
                    break
                self.functional = False  # no return_state inside
                v, kw = self.new_layer(name, cur, True)
                tv = self.var("y")
                self.emit(f"{tv} = {v}({t})", ("call", [v]))
                nxt = self._out(name, cur, kw)
                t = tv
                if not isinstance(nxt, tuple):
                    cur = None
                    break
                cur = nxt
            mv = self.var("m")
            self.emit(f"{mv} = keras.Model({iv}, {t})", ("call", []))
        else:
            mv, cur = self.sequential(shape, n, True, allow_nested=False, deferred=d.flip(0.3))
            if isinstance(cur, list):
                cur = None
        self.functional = saved
        if d.flip(0.25):
            self.emit(f"{mv}.trainable = False")
        return mv, cur

    # --- functional ----------------------------------------------------------------------------------------------
    def functional_model(self, shape, n_steps, valid):
        d = self.d
        self.functional = True
        bad_at = d.int(0, n_steps - 1) if not valid else -1
        inputs = []
        pool = []  # (tensor var, shape)
        n_inputs = 1 if d.flip(0.75) else 2
        for k in range(n_inputs):
            s = shape if k == 0 or d.flip() else self.random_shape(len(shape))
            iv = self.var("inp")
            self.emit(f"{iv} = keras.Input(shape={tuple(s[1:])!r})")
            inputs.append(iv)
            pool.append((iv, s))
        used = set()
        last = None
        for step in range(n_steps):
            step_valid = step != bad_at
            op = d.pick(["single"] * 5 + ["merge"] * 2 + ["attention", "shared", "nested"])
            res = getattr(self, "op_" + op)(pool, step_valid)
            if res is None:
                res = self.op_single(pool, step_valid)
            if res is None:
                continue
            tv, out, consumed = res
            used.update(consumed)
            last = tv
            if not step_valid:
                self.broken = True
                break
            if isinstance(out, tuple):
                pool.append((tv, out))
        if last is None:
            return None
        outputs = [last]
        unused = [iv for iv in inputs if iv not in used]
        for iv in unused:
            # every input must reach an output: give it a layer of its own
            s = dict(pool)[iv]
            name = d.pick(self.candidates(s) or ["Dense"])
            v, kw = self.new_layer(name, s, True)
            tv = self.var("x")
            self.emit(f"{tv} = {v}({iv})", ("call", [v]))
            outputs.append(tv)
        if not self.broken and d.flip(0.15):
            extra = [t for t, _ in pool if t not in inputs and t != last]
            if extra:
                outputs.insert(0, d.pick(extra))
        ins = inputs[0] if len(inputs) == 1 and d.flip() else "[" + ", ".join(inputs) + "]"
        outs = outputs[0] if len(outputs) == 1 else "[" + ", ".join(outputs) + "]"
        self.emit(f"model = keras.Model({ins}, {outs})", ("call", []))
        return True

    def random_shape(self, rank):
        d = self.d
        return (None,) + tuple(d.int(1, 8) for _ in range(rank - 1))

    def op_single(self, pool, valid):
        d = self.d
        t, shape = d.pick(pool)
        name, shape_ok = self.pick_single(shape, valid)
        if name is None:
            return None
        v, kw = self.new_layer(name, shape, valid or not shape_ok)
        tv = self.var("x")
        call = f"{v}({t})"
        if kw.get("return_state"):
            call += "[0]"
        self.emit(f"{tv} = {call}", ("call", [v]))
        out = self._out(name, shape, kw) if valid else None
        if isinstance(out, list):
            out = out[0] if kw.get("return_state") else None
        self.layer_io[v] = (shape, out)
        return tv, out, [t]

    def _branch(self, t, shape):
        """A second tensor of the same shape, through a shape-preserving layer (or None)."""
        keep = [n for n in self.avail if TABLE[n].shape_preserving and len(shape) in TABLE[n].ranks]
        if not keep:
            return None
        name = self.d.pick(keep)
        v, kw = self.new_layer(name, shape, True)
        tv = self.var("x")
        self.emit(f"{tv} = {v}({t})", ("call", [v]))
        return tv

    def op_merge(self, pool, valid):
        d = self.d
        merges = [n for n in self.avail if TABLE[n].family == "merge"]
        if not merges:
            return None
        name = d.pick(merges)
        t, shape = d.pick(pool)
        if len(shape) not in TABLE[name].ranks or any(x is None for x in shape[1:]):
            return None
        kw = {}
        if name == "Concatenate":
            axis = -1 if d.flip(0.7) else d.int(1, len(shape) - 1)
            if axis != -1:
                kw["axis"] = axis
            ax = axis % len(shape)
            other = list(shape)
            other[ax] = d.int(1, 5)
            if not valid:
                j = d.pick([i for i in range(1, len(shape)) if i != ax] or [ax])
                other[j] = shape[j] + 1 if j != ax else other[j]
                if j == ax:
                    other = other + [1]
            out = list(shape)
            out[ax] = shape[ax] + other[ax] if len(other) == len(shape) else None
            out = tuple(out)
            other = tuple(other)
        elif name == "Dot":
            axes = d.pick([-1, 1] if len(shape) == 2 else [-1, 1, 2, (2, 2), (1, 1)])
            kw["axes"] = axes
            if d.flip(0.2):
                kw["normalize"] = True
            a = _tup(axes, 2)
            other = tuple(shape)
            if not valid:
                other = other[:-1] + (other[-1] + 1,)
                if len(shape) == 3 and a[0] % 3 == 1:
                    other = (None, shape[1] + 1, shape[2])
            if len(shape) == 2:
                out = (None, 1)
            else:
                ka = a[0] % 3
                rest = [shape[i] for i in (1, 2) if i != ka]
                out = (None, rest[0], rest[0])
        else:
            other = shape
            if not valid:
                j = d.int(1, len(shape) - 1)
                other = tuple(x + 1 if i == j else x for i, x in enumerate(shape))
                if d.flip(0.3):
                    other = shape[:-1]  # a different rank
            out = shape
        n_in = 2 if name in ("Subtract", "Dot") else d.pick([2, 2, 3])
        if name == "Subtract" and not valid and d.flip(0.3):
            n_in = 3
            other = shape
        # find or make partners with shape `other`
        partners = []
        for _ in range(n_in - 1):
            same = [pt for pt, ps in pool if ps == other and pt != t and pt not in partners]
            if same and d.flip(0.6):
                partners.append(d.pick(same))
                continue
            made = self._make_shape(t, shape, other)
            if made is None:
                return None
            partners.append(made)
        ax = kw.get("axis", -1) % len(shape)
        if name == "Concatenate" and out is not None and n_in == 3 and out[ax] is not None:
            out = tuple(x + other[ax] if i == ax else x for i, x in enumerate(out))
        v = self.var("l")
        self.emit(f"{v} = {_construct(name, kw)}", ("construct", name))
        self.types.add(name)
        tv = self.var("x")
        ins = [t] + partners
        self.emit(f"{tv} = {v}([{', '.join(ins)}])", ("call", [v]))
        return tv, (out if valid and _ok(out) else None), ins

    def _make_shape(self, t, shape, other):
        """A tensor of shape ``other`` derived from ``t`` (of ``shape``)."""
        d = self.d
        if other == shape:
            return self._branch(t, shape)
        if len(other) == len(shape) and other[:-1] == shape[:-1] and "Dense" in self.avail:
            v = self.var("l")
            self.emit(f"{v} = layers.Dense({other[-1]})", ("construct", "Dense"))
            self.types.add("Dense")
            tv = self.var("x")
            self.emit(f"{tv} = {v}({t})", ("call", [v]))
            return tv
        if all(x is not None for x in other[1:]):
            iv = self.var("inp")
            # a fresh Input would need to be a model input; use Reshape of a Dense instead when possible
            if "Dense" in self.avail and "Reshape" in self.avail and "Flatten" in self.avail:
                self.n -= 1
                lf, ld, lr = self.var("l"), self.var("l"), self.var("l")
                a, b, c = self.var("x"), self.var("x"), self.var("x")
                self.emit(f"{lf} = layers.Flatten()", ("construct", "Flatten"))
                self.emit(f"{a} = {lf}({t})", ("call", [lf]))
                self.emit(f"{ld} = layers.Dense({math.prod(other[1:])})", ("construct", "Dense"))
                self.emit(f"{b} = {ld}({a})", ("call", [ld]))
                self.emit(f"{lr} = layers.Reshape({tuple(other[1:])!r})", ("construct", "Reshape"))
                self.emit(f"{c} = {lr}({b})", ("call", [lr]))
                self.types.update(("Flatten", "Dense", "Reshape"))
                return c
            del iv
        return None

    def op_attention(self, pool, valid):
        d = self.d
        names = [n for n in self.avail if TABLE[n].family == "attention"]
        seqs = [(t, s) for t, s in pool if len(s) == 3 and s[-1] is not None]
        if not names or not seqs:
            return None
        name = d.pick(names)
        q, qs = d.pick(seqs)
        # value: another sequence; for Attention/AdditiveAttention its features must match the query's
        vs_choices = [(t, s) for t, s in seqs
                      if name in ("MultiHeadAttention", "GroupedQueryAttention") or s[-1] == qs[-1]]
        v_t, v_s = d.pick(vs_choices)
        if not valid:
            if name in ("MultiHeadAttention", "GroupedQueryAttention"):
                bad = [(t, s) for t, s in pool if len(s) != 3]
                if bad:
                    v_t, v_s = d.pick(bad)
                else:
                    v_t = None
            else:
                bad = [(t, s) for t, s in seqs if s[-1] != qs[-1]]
                if bad:
                    v_t, v_s = d.pick(bad)
                elif "Dense" in self.avail:
                    v_t = self._make_shape(q, qs, qs[:-1] + (qs[-1] + 1,))
                else:
                    v_t = None
            if v_t is None:
                return None
        kw = {}
        out = qs
        if name == "MultiHeadAttention":
            kw["num_heads"] = d.int(1, 3)
            kw["key_dim"] = d.int(1, 4)
            if d.flip(0.3):
                kw["value_dim"] = d.int(1, 4)
            if d.flip(0.2):
                kw["output_shape"] = d.int(1, 5)
                out = qs[:-1] + (kw["output_shape"],)
            if d.flip(0.2):
                kw["use_bias"] = False
        elif name == "GroupedQueryAttention":
            kv = d.int(1, 2)
            kw["head_dim"] = d.int(1, 4)
            kw["num_query_heads"] = kv * d.int(1, 2)
            kw["num_key_value_heads"] = kv
            if d.flip(0.2):
                kw["use_bias"] = False
        elif name == "Attention":
            if d.flip(0.3):
                kw["use_scale"] = True
            if d.flip(0.3):
                kw["score_mode"] = "concat"
        elif d.flip(0.3):
            kw["use_scale"] = False
        v = self.var("l")
        self.emit(f"{v} = {_construct(name, kw)}", ("construct", name))
        self.types.add(name)
        tv = self.var("x")
        if name in ("MultiHeadAttention", "GroupedQueryAttention"):
            style = d.pick(["pos", "kw", "key"])
            if style == "pos":
                call = f"{v}({q}, {v_t})"
            elif style == "kw":
                call = f"{v}(query={q}, value={v_t})"
            else:
                call = f"{v}({q}, {v_t}, {v_t})"
        else:
            call = f"{v}([{q}, {v_t}])" if d.flip(0.7) else f"{v}([{q}, {v_t}, {v_t}])"
        self.emit(f"{tv} = {call}", ("call", [v]))
        return tv, (out if valid else None), [q, v_t]

    def op_shared(self, pool, valid):
        d = self.d
        reusable = [v for v, (i, o) in self.layer_io.items() if i is not None]
        if not reusable:
            return None
        v = d.pick(reusable)
        in_shape, out_shape = self.layer_io[v]
        same = [t for t, s in pool if s == in_shape]
        if valid:
            if not same:
                return None
            t = d.pick(same)
        else:
            diff = [(t, s) for t, s in pool if s != in_shape]
            if not diff:
                return None
            t, _ = d.pick(diff)
        tv = self.var("x")
        self.emit(f"{tv} = {v}({t})", ("call", [v]))
        return tv, (out_shape if valid else None), [t]

    def op_nested(self, pool, valid):
        d = self.d
        t, shape = d.pick(pool)
        if valid:
            mv, out = self.nested(shape)
        else:
            other = tuple(x if x is None else x + 1 for x in shape)
            if other == shape:
                other = shape + (2,)
            mv, out = self.nested(other)
        tv = self.var("x")
        self.emit(f"{tv} = {mv}({t})", ("call", [mv]))
        return tv, (out if valid and isinstance(out, tuple) else None), [t]

    def case(self, valid):
        text = "\n".join(line for line, _ in self.lines) + "\n"
        info = {i + 1: inf for i, (_, inf) in enumerate(self.lines) if inf is not None}
        return Case(text, info, valid and not self.broken, frozenset(self.types))


@st.composite
def cases(draw, invalid_fraction=0.22):
    """A random model (hypothesis strategy of :class:`Case`)."""
    d = Draw(draw)
    avail = available()
    b = _Builder(d, avail)
    valid = not d.flip(invalid_fraction)
    rank = d.pick([2, 3, 3, 3, 4, 4, 4, 5, 5, 6]) if d.flip(0.9) else d.int(2, 6)
    dims = []
    for i in range(rank - 1):
        if i == 0 and rank >= 3 and d.flip(0.1):
            dims.append(None)  # unknown timesteps
        else:
            dims.append(d.int(1, 9) if rank <= 4 else d.int(1, 6))
    shape = (None,) + tuple(dims)
    n = d.int(1, 6)
    if d.flip(0.4):
        b.sequential(shape, n, valid, target="model")
    elif b.functional_model(shape, n, valid) is None:
        b.sequential(shape, n, valid, target="model")
    return b.case(valid)


# ---------------------------------------------------------------------------------------------------------------
# Running a case both ways and comparing


@dataclasses.dataclass
class Side:
    outcome: object  # oracle.Outcome
    line: int | None  # source line that raised
    namespace: dict
    crash: bool = False  # shapewise raised something that is not a ShapewiseError


def _failing_line(exc):
    line = None
    for frame, lineno in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename == "<case>":
            line = lineno
    return line


def run_keras_side(source):
    import oracle

    keras = oracle.real_keras()
    keras.backend.clear_session(free_memory=False)  # gc.collect() would cost 150 ms per model
    ns = {"keras": keras, "layers": keras.layers, "__name__": "__case__"}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(source, "<case>", "exec"), ns)  # our own generated test source
            return Side(oracle.Outcome([oracle.describe_keras(m) for m in oracle._collect(ns)]), None, ns)
    except Exception as e:  # noqa: BLE001
        return Side(oracle.Outcome(error=e), _failing_line(e), ns)


def run_shapewise_side(source):
    import oracle
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    sk.clear_session()
    ns = {"keras": sk, "layers": sk.layers, "__name__": "__case__"}
    try:
        exec(compile(source, "<case>", "exec"), ns)  # our own generated test source
        return Side(oracle.Outcome([oracle.describe_shapewise(m) for m in oracle._collect(ns)]), None, ns)
    except ShapewiseError as e:
        return Side(oracle.Outcome(error=e), _failing_line(e), ns)
    except Exception as e:  # noqa: BLE001 - a crash is a disagreement
        return Side(oracle.Outcome(error=e), _failing_line(e), ns, crash=True)


def _names_in(obj):
    names = {getattr(obj, "name", None)}
    for layer in getattr(obj, "layers", None) or []:
        names |= _names_in(layer)
    for sub in getattr(obj, "_sublayers", None) or []:
        names |= _names_in(sub)
    return names - {None}


def compare(source, lines=None):
    """None when both agree, else a one-paragraph description of the disagreement.

    ``lines`` maps a line number to ("construct", class) or ("call", [layer vars]); without it (a saved
    regression) the line is derived by parsing the failing line's ``lN(`` / ``.add(lN)`` call.
    """
    import oracle

    global _last_keras_ok
    k = run_keras_side(source)
    s = run_shapewise_side(source)
    _last_keras_ok = k.outcome.error is None
    both_missing_name = isinstance(s.outcome.error, AttributeError) and isinstance(k.outcome.error, AttributeError)
    if s.crash and not both_missing_name:  # a name neither keras.layers nor shapewise has is an agreement
        return (f"shapewise crashed at line {s.line}: {type(s.outcome.error).__name__}: {s.outcome.error}\n"
                f"  keras: {_short(k)}")
    ke, se = k.outcome.error, s.outcome.error
    if ke is None and se is None:
        try:
            oracle.assert_same(source, k.outcome, s.outcome)
        except AssertionError as e:
            text = str(e).replace(source, "").split("\nsource:")[0].strip()
            types = sorted({l["type"] for m in k.outcome.models for l in m["layers"]})
            return f"models differ: {text.splitlines()[0]} (model has {', '.join(types)})\n{text}"
        return None
    if ke is None or se is None:
        return f"one side failed ({_kind(k, source)} / {_kind(s, source)})\n  keras: {_short(k)}\n  shapewise: {_short(s)}"
    if k.line != s.line:
        return (f"failed on different lines ({_kind(k, source)} / {_kind(s, source)})\n  keras: {_short(k)}\n"
                f"  shapewise: {_short(s)}")
    info = (lines or {}).get(k.line) or _line_info(source, k.line)
    if info and info[0] == "call" and info[1]:
        allowed = set()
        for v in info[1]:
            if v in s.namespace:
                allowed |= _names_in(s.namespace[v])
        keras_named = _keras_layer_name(ke)
        if se.layer not in allowed:
            return (f"shapewise's error names layer {se.layer!r}, but line {k.line} calls {sorted(allowed)}\n"
                    f"  keras: {_short(k)}\n  shapewise: {_short(s)}")
        if keras_named and keras_named in allowed and len(info[1]) > 1 and keras_named != se.layer:
            return (f"keras failed in layer {keras_named!r}, shapewise in {se.layer!r}\n"
                    f"  keras: {_short(k)}\n  shapewise: {_short(s)}")
    return None


_last_keras_ok = None


def _line_info(source, line):
    import re

    if line is None:
        return None
    text = source.splitlines()[line - 1]
    m = re.match(r"\s*\w+\s*=\s*layers\.(\w+)\(", text)
    if m:
        return ("construct", m.group(1))
    m = re.search(r"\.add\((\w+)\)", text)
    if m:
        return ("call", [m.group(1)])
    m = re.search(r"Sequential\(\[(.*)\]\)", text)
    if m:
        return ("call", [v.strip() for v in m.group(1).split(",") if re.fullmatch(r"\s*[lm]\d+\s*", v)])
    m = re.match(r"\s*\w+\s*=\s*(\w+)\(", text)
    if m and m.group(1) not in ("keras",):
        return ("call", [m.group(1)])
    return None


def _keras_layer_name(exc):
    import re

    m = re.search(r"of layer '([\w]+)'", str(exc))
    return m.group(1) if m else None


def _kind(side, source):
    """Keras built it, or the error class and the layer class of the failing line (for grouping)."""
    e = side.outcome.error
    if e is None:
        return "built"
    what = ""
    if side.line:
        import re

        text = source.splitlines()[side.line - 1]
        m = re.search(r"layers\.(\w+)\(", text)
        if m:
            what = " constructing " + m.group(1)
        else:
            m = re.match(r"\s*\w+\s*=\s*(\w+)\(", text) or re.search(r"\.add\((\w+)\)", text)
            if m and m.group(1) in side.namespace:
                what = " calling " + type(side.namespace[m.group(1)]).__name__
    return type(e).__name__ + what


def _short(side):
    e = side.outcome.error
    if e is None:
        return "built fine"
    msg = str(e).strip().splitlines()[0] if str(e).strip() else ""
    layer = getattr(e, "layer", None)
    extra = f" [layer={layer}]" if layer is not None else ""
    return f"line {side.line}: {type(e).__name__}{extra}: {msg[:300]}"


def layer_types(source):
    """Class names of the layers a source constructs."""
    import re

    return set(re.findall(r"layers\.(\w+)\(", source))


# ---------------------------------------------------------------------------------------------------------------
# Many cases: draw with hypothesis (seeded or derandomized), compare in worker processes (Keras is the slow side)


def draw_cases(n, seed=None, invalid_fraction=0.22):
    """``n`` cases from hypothesis: derandomized (the same every run) when ``seed`` is None, else seeded."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    out = []

    @settings(max_examples=n, database=None, deadline=None, derandomize=seed is None,
              suppress_health_check=list(HealthCheck), phases=["generate"])
    @given(cases(invalid_fraction))
    def collect(case):
        out.append(case)

    if seed is not None:
        collect = hseed(seed)(collect)
    collect()
    return out[:n]


def _worker_init():
    import warnings as _w

    _w.simplefilter("ignore")
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass
    import oracle

    oracle.real_keras()


_jobs_done = 0


def _compare_job(case):
    global _jobs_done
    desc = compare(case.source, case.lines)
    _jobs_done += 1
    if _jobs_done % 200 == 0:
        import gc

        gc.collect()
    return desc, _last_keras_ok


def compare_many(case_list, workers=None, chunksize=8):
    """[(description or None, keras built it)] for each case, computed in ``workers`` processes."""
    return list(run_many(iter(case_list), workers, chunksize))


def run_many(case_iter, workers=None, chunksize=8):
    """Yield (description or None, keras built it) for each case of an iterable, in order, comparing in
    ``workers`` processes (env SHAPEWISE_RANDOM_WORKERS, default: one per CPU) while the caller draws more."""
    workers = workers or int(os.environ.get("SHAPEWISE_RANDOM_WORKERS", 0)) or os.cpu_count() or 1
    if workers <= 1:
        _worker_init()
        for c in case_iter:
            yield _compare_job(c)
        return
    import collections
    import concurrent.futures
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=ctx, initializer=_worker_init) as pool:
        pending = collections.deque()
        batch = []
        for c in case_iter:
            batch.append(c)
            if len(batch) == chunksize:
                pending.append(pool.submit(_compare_batch, batch))
                batch = []
            while pending and pending[0].done():
                yield from pending.popleft().result()
        if batch:
            pending.append(pool.submit(_compare_batch, batch))
        while pending:
            yield from pending.popleft().result()


def _compare_batch(batch):
    return [_compare_job(c) for c in batch]


def iter_cases(n, seed=None, invalid_fraction=0.22):
    """Like draw_cases, but a generator: yields each case as hypothesis draws it (runs hypothesis in a thread)."""
    import queue
    import threading

    q = queue.Queue(maxsize=64)
    done = object()

    def produce():
        from hypothesis import HealthCheck, given, settings
        from hypothesis import seed as hseed

        count = [0]

        @settings(max_examples=n, database=None, deadline=None, derandomize=seed is None,
                  suppress_health_check=list(HealthCheck), phases=["generate"])
        @given(cases(invalid_fraction))
        def collect(case):
            if count[0] < n:
                count[0] += 1
                q.put(case)

        if seed is not None:
            collect = hseed(seed)(collect)
        try:
            collect()
        finally:
            q.put(done)

    th = threading.Thread(target=produce, daemon=True)
    th.start()
    while True:
        item = q.get()
        if item is done:
            break
        yield item
    th.join()

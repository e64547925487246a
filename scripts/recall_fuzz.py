"""Targeted differential fuzz of the paths where Keras skips a layer's build(): compared with real Keras.

    python scripts/recall_fuzz.py --models 3000 --seed N [--only recall|td|nested] [--dump DIR]

The random-model generator (tests/generator.py) reaches these paths only now and then; this draws them on purpose:

- ``recall``: a layer built on one input and called again on another shape (any rank): Keras asserts only the
  InputSpec set at build, then asks compute_output_shape;
- ``td``: TimeDistributed around a layer, on inputs of any rank (Keras builds the inner layer and asks its
  compute_output_shape, never its InputSpec), then called again on another shape;
- ``nested``: a small model called on a shape its input check lets through (None axes, a trailing size-1 axis,
  another rank): Keras runs its layers' compute_output_spec on that shape.

Disagreements are grouped as in scripts/soak.py and printed (one smallest source per group); nothing is written
to SOAK.md.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, "scripts"))

from hypothesis import strategies as st

import generator
from generator import TABLE, Case, Draw, _construct

TD_INNER = ("Dense", "Flatten", "Conv1D", "Conv2D", "MaxPooling1D", "MaxPooling2D", "AveragePooling1D",
            "Conv1DTranspose", "GlobalMaxPooling1D", "UpSampling1D", "ZeroPadding1D", "Cropping1D", "Permute",
            "RepeatVector", "LayerNormalization", "BatchNormalization", "PReLU", "SeparableConv1D",
            "DepthwiseConv1D", "Reshape", "EinsumDense", "Embedding", "GroupNormalization", "Normalization")


def _shape(d, rank, lo=1, hi=6, p_none=0.1):
    return (None,) + tuple(None if d.flip(p_none) else d.int(lo, hi) for _ in range(rank - 1))


def _other(d, a):
    """A second shape: near ``a`` (one axis changed, None, one axis more or less) or anything."""
    how = d.pick(["any", "any", "one", "last", "none", "plus1", "minus", "plus"])
    if how == "any" or len(a) < 2:
        return _shape(d, d.int(2, 6))
    b = list(a)
    if how == "one":
        i = d.int(1, len(a) - 1)
        b[i] = d.int(1, 7)
    elif how == "last":
        b[-1] = d.int(1, 7)
    elif how == "none":
        b[d.int(1, len(a) - 1)] = None
    elif how == "plus1":
        b.append(1)
    elif how == "minus" and len(a) > 2:
        b.pop()
    else:
        b.append(d.int(1, 5))
    return tuple(b)


def _layer_names(families=("single", "wrapper")):
    avail = generator.available()
    return [n for n in avail if TABLE[n].family in families]


def _new(d, name, shape, lines, n):
    kw = TABLE[name].kwargs(d, shape, True)
    v = f"l{n}"
    lines.append(f"{v} = {_construct(name, kw)}")
    return v, kw


def _inp(v, shape):
    return f"{v} = keras.Input(shape={tuple(shape[1:])!r})"


@st.composite
def recall_case(draw):
    d = Draw(draw)
    name = d.pick(_layer_names())
    a = _shape(d, d.pick(TABLE[name].ranks))
    b = _other(d, a)
    lines = [_inp("inp1", a), _inp("inp2", b)]
    v, _ = _new(d, name, a, lines, 3)
    lines += [f"x4 = {v}(inp1)", f"x5 = {v}(inp2)", "model = keras.Model([inp1, inp2], [x4, x5])"]
    return Case("\n".join(lines) + "\n", {}, True, frozenset([name]))


@st.composite
def td_case(draw):
    d = Draw(draw)
    avail = set(generator.available())
    name = d.pick([n for n in TD_INNER if n in avail])
    inner_shape = _shape(d, d.pick(TABLE[name].ranks))
    kw = TABLE[name].kwargs(d, inner_shape, True)
    rank = d.int(3, 6) if d.flip(0.6) else len(inner_shape) + 1
    a = _shape(d, rank)
    lines = [_inp("inp1", a), f"l2 = layers.TimeDistributed({_construct(name, kw)})", "x3 = l2(inp1)"]
    outs = ["x3"]
    if d.flip(0.5):
        b = _other(d, a)
        lines += [_inp("inp4", b), "x5 = l2(inp4)"]
        outs.append("x5")
        ins = "[inp1, inp4]"
    else:
        ins = "inp1"
    lines.append(f"model = keras.Model({ins}, [{', '.join(outs)}])")
    return Case("\n".join(lines) + "\n", {}, True, frozenset(["TimeDistributed", name]))


def _passing(d, a):
    """A shape Keras's nested-model input check lets through for a model built on ``a`` (or near it)."""
    b = list(a)
    how = d.pick(["none_in_b", "plus", "plus1", "minus", "size1"])
    if how == "none_in_b" and len(b) > 1:
        b[d.int(1, len(b) - 1)] = None
    elif how == "plus":
        b.append(d.int(1, 4))
    elif how == "plus1":
        b.append(1)
    elif how == "minus" and len(b) > 2:
        b.pop()
    elif how == "size1" and len(b) > 1:
        b[-1] = 1
    return tuple(b)


@st.composite
def nested_case(draw):
    d = Draw(draw)
    names = _layer_names()
    rank = d.int(2, 5)
    a = _shape(d, rank, p_none=0.25)
    b = _passing(d, a)
    lines = [_inp("inp1", b)]
    n = 2
    seq = d.flip(0.4)
    cur = a
    vars_ = []
    lines.append(_inp("ii2", a))
    t = "ii2"
    for _ in range(d.int(1, 2)):
        ok = [x for x in names if len(cur) in TABLE[x].ranks]
        if not ok:
            break
        name = d.pick(ok)
        n += 1
        v, kw = _new(d, name, cur, lines, n)
        vars_.append(v)
        if not seq:
            n += 1
            lines.append(f"y{n} = {v}({t})")
            t = f"y{n}"
        try:
            nxt = TABLE[name].out(cur, kw)
        except Exception:  # noqa: BLE001 - only a guide for the next layer's rank
            nxt = None
        if not isinstance(nxt, tuple):
            break
        cur = nxt
    if not vars_:
        return Case(_inp("inp1", a) + "\nmodel = keras.Model(inp1, inp1)\n", {}, True, frozenset())
    if seq:
        lines.append(f"m9 = keras.Sequential([ii2, {', '.join(vars_)}])")
    else:
        lines.append(f"m9 = keras.Model(ii2, {t})")
    lines += ["x10 = m9(inp1)", "model = keras.Model(inp1, x10)"]
    return Case("\n".join(lines) + "\n", {}, True, frozenset())


STRATEGIES = {"recall": recall_case, "td": td_case, "nested": nested_case}


def iter_cases(n, seed, only=None):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    kinds = [only] if only else list(STRATEGIES)
    strategy = st.one_of(*(STRATEGIES[k]() for k in kinds))
    out = []

    @settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck),
              phases=["generate"])
    @given(strategy)
    def collect(case):
        out.append(case)

    hseed(seed)(collect)()
    return out[:n]


def main(argv=None):
    import soak

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", type=int, default=2000)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--only", choices=sorted(STRATEGIES))
    p.add_argument("--workers", type=int, default=None)
    p.add_argument("--dump", default=None)
    args = p.parse_args(argv)
    cases = iter_cases(args.models, args.seed, args.only)
    groups = {}
    valid = 0
    for case, (desc, k_ok) in zip(cases, generator.run_many(iter(cases), args.workers)):
        valid += bool(k_ok)
        if desc is None:
            continue
        sig = soak.signature(desc)
        g = groups.setdefault(sig, [0, case.source, desc])
        g[0] += 1
        if len(case.source) < len(g[1]):
            g[1], g[2] = case.source, desc
    n_dis = sum(g[0] for g in groups.values())
    for sig, (count, src, desc) in groups.items():
        print(f"### {count}× {sig}\n{desc.strip()}\n{src}")
    if args.dump:
        os.makedirs(args.dump, exist_ok=True)
        for i, (sig, (count, src, desc)) in enumerate(groups.items()):
            with open(os.path.join(args.dump, f"group{i:03d}.py"), "w") as f:
                f.write("# " + "\n# ".join(desc.splitlines()) + "\n" + src)
    print(f"{len(cases)} models ({valid} built by Keras), {n_dis} disagreements in {len(groups)} groups")
    return 1 if groups else 0


if __name__ == "__main__":
    sys.exit(main())

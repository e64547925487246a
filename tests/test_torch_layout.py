"""``view`` after ``transpose``/``permute``: shapewise's strides (shapewise.torch.layout) against real torch.

Random chains of transpose, permute, movedim, view (merging or splitting axes), contiguous and matmul run on real
torch (meta device, which computes strides) and on shapewise.torch: shapewise must raise exactly where torch raises
("view size is not compatible with input tensor's size and stride"), and where it knows a tensor's strides they
must be torch's."""

import pytest

torch = pytest.importorskip("torch")

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import shapewise.torch as sw
from shapewise.errors import ShapewiseError
from shapewise.torch.layout import compute_stride


def _apply(t, op):
    name, args = op
    return getattr(t, name)(*args)


@st.composite
def chains(draw):
    shape = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    ops, rank, sizes = [], len(shape), list(shape)
    for _ in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(["transpose", "permute", "movedim", "view_merge", "view_split", "contiguous",
                                     "matmul"]))
        if kind == "transpose":
            i, j = draw(st.integers(0, rank - 1)), draw(st.integers(0, rank - 1))
            ops.append(("transpose", (i, j)))
            sizes[i], sizes[j] = sizes[j], sizes[i]
        elif kind == "permute":
            perm = draw(st.permutations(range(rank)))
            ops.append(("permute", tuple(perm)))
            sizes = [sizes[p] for p in perm]
        elif kind == "movedim":
            i, j = draw(st.integers(0, rank - 1)), draw(st.integers(0, rank - 1))
            ops.append(("movedim", (i, j)))
            sizes.insert(j, sizes.pop(i))
        elif kind == "view_merge" and rank > 1:
            i = draw(st.integers(0, rank - 2))
            sizes = sizes[:i] + [sizes[i] * sizes[i + 1]] + sizes[i + 2:]
            rank -= 1
            ops.append(("view", tuple(sizes)))
        elif kind == "view_split" and rank < 5:
            i = draw(st.integers(0, rank - 1))
            sizes = sizes[:i] + [1, sizes[i]] + sizes[i + 1:] if draw(st.booleans()) else \
                sizes[:i] + [sizes[i], 1] + sizes[i + 1:]
            rank += 1
            ops.append(("view", tuple(sizes)))
        elif kind == "contiguous":
            ops.append(("contiguous", ()))
        elif kind == "matmul" and rank >= 2:
            ops.append(("matmul_eye", (sizes[-1],)))
    return shape, ops


def _run(make, eye, shape, ops):
    t = make(shape).contiguous()
    for name, args in ops:
        t = t.matmul(eye(args[0])) if name == "matmul_eye" else _apply(t, (name, args))
    return t


@settings(max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains())
def test_view_strides_against_torch(chain):
    shape, ops = chain
    try:
        real = _run(lambda s: torch.zeros(s, device="meta"), lambda n: torch.zeros(n, n, device="meta"), shape, ops)
        real_err = None
    except RuntimeError as e:
        real, real_err = None, e
    try:
        ours = _run(lambda s: sw.zeros(*s), lambda n: sw.zeros(n, n), shape, ops)
        ours_err = None
    except ShapewiseError as e:
        ours, ours_err = None, e
    if real_err is not None:
        assert ours_err is not None and "view size is not compatible" in ours_err.message, (ops, real_err)
        return
    assert ours_err is None, (ops, ours_err)
    assert tuple(ours.shape) == tuple(real.shape)
    if ours.strides is not None:  # the strides of size-1 axes are arbitrary in torch (never used to address)
        mine = [st for st, n in zip(ours.strides, real.shape) if n != 1]
        theirs = [st for st, n in zip(real.stride(), real.shape) if n != 1]
        assert mine == theirs, (ops, ours.strides, real.stride())


def test_view_of_unknown_layout_is_never_refused():
    """Strides not known (a module's output, a chunk, an elementwise op): view is accepted, as shapewise cannot
    tell; the interpreter reports only what torch certainly raises."""
    x = sw.randn(2, 3, 4).transpose(1, 2)  # randn's strides are not followed
    assert x.strides is None
    assert tuple(x.view(2, 12).shape) == (2, 12)


@pytest.mark.parametrize("old,stride,new", [((2, 3, 4), (12, 4, 1), (6, 4)), ((2, 3, 4), (12, 1, 3), (6, 4)),
                                            ((2, 3, 4), (12, 1, 3), (2, 12)), ((4, 3), (1, 4), (12,)),
                                            ((4, 1, 3), (3, 3, 1), (4, 3)), ((0, 3), (3, 1), (3, 0))])
def test_compute_stride_is_torchs(old, stride, new):
    base = torch.empty_strided(old, stride, device="meta")
    try:
        want = base.view(new).stride()
    except RuntimeError:
        want = None
    assert compute_stride(old, stride, new) == want

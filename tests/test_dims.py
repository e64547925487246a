"""Property tests of dimension expressions: every rendering evaluates to the value it claims."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from shapewise.dims import Known, Named, Unknown, as_dim, leaves, product, same


def evaluate(text):
    """Evaluate a 'numbers' rendering with Python integer arithmetic (our own generated text, never user input)."""
    expr = text.replace("·", "*").replace("−", "-").replace("×", "*")
    for _ in range(50):
        new = re.sub(r"⌊([^⌊⌋⌈⌉]*) / ([^⌊⌋⌈⌉]*)⌋", r"((\1)//(\2))", expr)
        new = re.sub(r"⌈([^⌊⌋⌈⌉]*) / ([^⌊⌋⌈⌉]*)⌉", r"(-(-(\1)//(\2)))", new)
        if new == expr:
            break
        expr = new
    expr = expr.replace(" / ", " // ")
    assert re.fullmatch(r"[0-9+\-*/() ]*", expr), expr
    return eval(expr, {"__builtins__": {}})  # noqa: S307 - digits and operators only, checked above


leaf = st.one_of(
    st.integers(1, 50).map(Known),
    st.tuples(st.integers(1, 50), st.sampled_from(["units", "filters", "kernel_size"])).map(
        lambda t: Known(t[0], t[1])),
    st.tuples(st.sampled_from(["features", "height", "width"]), st.integers(1, 200)).map(
        lambda t: Named(t[0], Known(t[1]))),
)


def combine(children):
    pairs = st.tuples(children, children)
    return st.one_of(
        pairs.map(lambda p: p[0] + p[1]),
        pairs.map(lambda p: p[0] - p[1]),
        pairs.map(lambda p: p[0] * p[1]),
        st.tuples(children, st.integers(1, 7)).map(lambda p: p[0] // p[1]),
        st.tuples(children, st.integers(1, 7)).map(lambda p: p[0].ceildiv(p[1])),
        st.tuples(children, st.integers(1, 7)).map(lambda p: (p[0] * p[1]).exactdiv(p[1])),
    )


exprs = st.recursive(leaf, combine, max_leaves=12)


@settings(max_examples=400, deadline=None)
@given(exprs)
def test_numbers_rendering_evaluates_to_value(d):
    assert evaluate(d.numbers()) == d.value


@settings(max_examples=200, deadline=None)
@given(exprs)
def test_names_rendering_mentions_every_leaf(d):
    names = d.names()
    for leaf_dim in leaves(d):
        assert leaf_dim.names() in names


def test_unknown_propagates():
    t = Unknown("timesteps")
    assert (t * 4 + 1).value is None
    assert (Known(3) * 4).value == 12
    assert same(t, Known(3)) is None
    assert same(Known(3), 3) is True
    assert same(Known(3), 4) is False


def test_constant_folding_and_order():
    units = Known(32, "units")
    assert (4 * units).names() == "4·units"
    assert (units * 4).names() == "4·units"
    assert (Known(2) + 3).names() == "5"
    assert product([Named("h", Known(3)), Named("w", Known(5))]).names() == "h·w"


def test_named_hides_its_origin():
    inner = Known(10, "units") * 2
    named = Named("features", inner)
    assert named.names() == "features" and named.numbers() == "20" and named.value == 20
    assert leaves(named * 3) == [named]


def test_as_dim_rejects_non_ints():
    for bad in (1.5, "3", True):
        try:
            as_dim(bad)
        except TypeError:
            continue
        raise AssertionError(f"{bad!r} accepted")


def test_a_symbolic_formula_does_not_depend_on_memory_addresses():
    """The fuzz run's non-determinism: a formula's factors were ordered by their objects' ids."""
    from shapewise.compute import _global_text
    from shapewise.dims import Known, Unknown

    texts = set()
    for _ in range(20):  # pairs made in both address orders
        n, dim1 = Unknown("n"), Unknown("dim1")
        texts.add(_global_text(Known(3) * n * dim1 + Known(2) * n, None))
        dim1, n = Unknown("dim1"), Unknown("n")
        texts.add(_global_text(Known(3) * dim1 * n + Known(2) * n, None))
    assert texts == {"3·dim1·n + 2·n"}, texts

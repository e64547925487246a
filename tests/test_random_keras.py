"""Differential testing on random models: shapewise must agree with real Keras 3 on every one.

``SHAPEWISE_RANDOM_MODELS`` (default 2000) random models are drawn by ``generator.cases()`` with hypothesis,
derandomized (the same models on every run while the set of registered layers is the same), and each is built by
real Keras and by shapewise (in ``SHAPEWISE_RANDOM_WORKERS`` processes, default one per CPU). On success every
layer's output shape, weights, params, trainable split, names and totals must match; on failure both must fail on
the same source line and shapewise's error must name the layer that line calls. Disagreements are grouped and
the smallest source of each group is shown: minimize it into ``tests/regressions/``.

The coverage tests fail when a registered layer has no generator entry, or a drawable layer is never drawn.
"""

import collections
import os
import re

import pytest

import generator

N_MODELS = int(os.environ.get("SHAPEWISE_RANDOM_MODELS", "2000"))
#: the coverage check looks at least this many drawn models (drawing is cheap; building is not)
COVERAGE_MODELS = 2000

_RESULTS = {}  # the random models' results, shared by the tests below: with pytest-xdist, kept on one worker
pytestmark = pytest.mark.xdist_group("module:tests/test_random_keras.py")


def _run():
    if N_MODELS <= 0:
        pytest.skip("SHAPEWISE_RANDOM_MODELS=0")
    if "results" not in _RESULTS:
        cases = []

        def feed():
            for case in generator.iter_cases(N_MODELS):
                cases.append(case)
                yield case

        results = list(generator.run_many(feed()))
        _RESULTS["cases"], _RESULTS["results"] = cases, results
    return _RESULTS["cases"], _RESULTS["results"]


def _signature(desc):
    first = re.sub(r"\d+", "N", desc.splitlines()[0])
    return re.sub(r"'[^']*'", "'…'", first)[:160]


@pytest.mark.keras
def test_random_models_match_keras():
    cases, results = _run()
    assert len(cases) == N_MODELS or N_MODELS > len(cases) > 0.9 * N_MODELS
    groups = collections.OrderedDict()
    for case, (desc, _keras_ok) in zip(cases, results):
        if desc is None:
            continue
        g = groups.setdefault(_signature(desc), [0, case.source, desc])
        g[0] += 1
        if len(case.source) < len(g[1]):
            g[1], g[2] = case.source, desc
    invalid = sum(1 for _, ok in results if not ok)
    report = [f"{sum(g[0] for g in groups.values())} of {len(cases)} random models disagree with Keras "
              f"({invalid} were invalid for Keras), in {len(groups)} groups:"]
    for sig, (count, src, desc) in list(groups.items())[:12]:
        report += ["", f"== {count}× {sig}", desc.strip(), "-- smallest source:", src.strip()]
    assert not groups, "\n".join(report)


@pytest.mark.keras
def test_random_models_include_invalid_ones():
    cases, results = _run()
    invalid = sum(1 for _, ok in results if not ok)
    # about one in five is made invalid on purpose; Keras must actually reject most of those
    assert 0.08 * len(results) <= invalid <= 0.4 * len(results), f"{invalid} of {len(results)} invalid"


def test_every_registered_layer_has_a_generator_entry():
    reg = generator._registry()
    missing = sorted(name for name, cls in reg.items()
                     if name not in generator.TABLE and cls.__name__ not in generator.TABLE
                     and name not in generator.NOT_DRAWN and cls.__name__ not in generator.NOT_DRAWN)
    assert not missing, f"registered layers the random generator does not know (add them to TABLE): {missing}"


@pytest.mark.keras
def test_every_drawable_layer_is_drawn():
    cases, _ = _run()
    drawn = set()
    for case in cases:
        drawn |= case.types
    if len(cases) < COVERAGE_MODELS:
        for case in generator.iter_cases(COVERAGE_MODELS):
            drawn |= case.types
    never = [n for n in generator.available() if n not in drawn]
    assert not never, f"layer types the random models never drew: {never}"

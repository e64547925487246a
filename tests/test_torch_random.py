"""Differential testing on random PyTorch models: shapewise must agree with real torch on every one.

``SHAPEWISE_TORCH_MODELS`` (default 2000) models are drawn by ``torch_generator.case(seed)`` for seeds 0, 1, ...
(the same models on every run) and each is run by real torch (meta device, the CPU where they disagree on
raising) and by shapewise: every module's class, qualified name, output shapes, calls, own and total parameters
and buffers must match, and the distinct totals; or both must raise. Disagreements are grouped by their first
difference and the smallest source of each group is shown.
"""

import collections
import os
import re

from torch_generator import case
from torch_oracle import compare

N_MODELS = int(os.environ.get("SHAPEWISE_TORCH_MODELS", "2000"))


def run(n, start=0):
    """(groups of disagreements, number of models, number that raised in torch, kinds drawn)."""
    groups = collections.OrderedDict()
    raised = 0
    kinds = collections.Counter()
    for seed in range(start, start + n):
        source, kind = case(seed)
        kinds[kind] += 1
        problems, real, _ = compare(source)
        raised += real is not None
        if problems:
            key = re.sub(r"\d+", "N", problems[0])[:120]
            g = groups.setdefault(key, [0, source, problems])
            g[0] += 1
            if len(source) < len(g[1]):
                g[1], g[2] = source, problems
    return groups, n, raised, kinds


def test_random_models_match_torch():
    groups, n, raised, kinds = run(N_MODELS)
    report = "\n\n".join(f"{count} model(s): {key}\n{source}\n" + "\n".join(problems[:8])
                         for key, (count, source, problems) in groups.items())
    assert not groups, f"{sum(g[0] for g in groups.values())} of {n} random models disagree with torch:\n{report}"
    # the draw exercises both kinds of model, and both outcomes (a model that builds, a deliberate shape bug)
    assert kinds["sequential"] > n / 4 and kinds["module"] > n / 4
    assert n / 20 < raised < n / 3

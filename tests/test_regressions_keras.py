"""Every disagreement with Keras the random differential test ever found, minimized, kept as a regression.

Each file in tests/regressions/ is a model source (the oracle format: names ``keras`` and ``layers``, the model
left in ``model``), with a comment saying what differed and the likely cause. Each runs through
``oracle.assert_same`` and through ``generator.compare`` (which also checks that a failure happens on the same
line and that shapewise's error names the layer Keras failed in).
"""

import glob
import os

import pytest

import generator
from oracle import assert_same

HERE = os.path.join(os.path.dirname(__file__), "regressions")
FILES = sorted(glob.glob(os.path.join(HERE, "*.py")))
# KNOWN_*.py: a disagreement kept on purpose (the file says why); the test fails if it ever stops disagreeing.
PARAMS = [pytest.param(f, marks=pytest.mark.xfail(strict=True, reason="known difference, see the file"))
          if os.path.basename(f).startswith("KNOWN_") else f for f in FILES]


@pytest.mark.keras
@pytest.mark.parametrize("path", PARAMS, ids=[os.path.basename(f)[:-3] for f in FILES])
def test_regression(path):
    with open(path) as f:
        source = f.read()
    assert_same(source)
    problem = generator.compare(source)
    assert problem is None, problem

"""``keras.layers``: every registered layer class (with Keras's aliases) and the functional forms."""

from .. import rules  # noqa: F401  (registers every layer family)
from ..engine import FUNCTIONS, REGISTRY, Layer  # noqa: F401
from ..graph import Input, InputLayer  # noqa: F401

globals().update(REGISTRY)
globals().update(FUNCTIONS)


def __dir__():
    return sorted(set(REGISTRY) | set(FUNCTIONS) | {"Input", "InputLayer", "Layer"})

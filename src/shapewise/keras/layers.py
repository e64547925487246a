"""``keras.layers``: every registered layer class (with Keras's aliases) and the functional forms.

A name is looked up in the registry on first access, which imports only the family that defines it.
"""

from ..engine import FUNCTIONS, REGISTRY, Layer  # noqa: F401
from ..graph import Input, InputLayer  # noqa: F401


def __getattr__(name):
    if name == "__all__":  # ``from shapewise.keras.layers import *``: every layer and functional form
        return __dir__()
    value = REGISTRY.get(name)
    if value is None:
        value = FUNCTIONS.get(name)
    if value is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(REGISTRY) | set(FUNCTIONS) | {"Input", "InputLayer", "Layer"})

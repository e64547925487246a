"""A Keras-compatible API: ``from shapewise.keras import layers, models, Sequential, Model, Input``.

Same class names, argument names, defaults and auto-names as Keras 3; models are built symbolically, with no
weights allocated.
"""

from ..engine import clear_session  # noqa: F401
from ..graph import Input, Sequential  # noqa: F401
from ..graph import make_model as Model  # noqa: F401
from . import layers, models  # noqa: F401


def __getattr__(name):
    if name == "applications":
        from . import applications

        return applications
    if name == "backend":
        from . import backend

        return backend
    raise AttributeError(f"module 'shapewise.keras' has no attribute {name!r}")

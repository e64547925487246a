"""A Keras-compatible API: ``from shapewise.keras import layers, models, Sequential, Model, Input``.

Same class names, argument names, defaults and auto-names as Keras 3; models are built symbolically, with no
weights allocated.
"""

from ..engine import clear_session  # noqa: F401
from ..graph import Input, Sequential  # noqa: F401
from ..graph import make_model as Model  # noqa: F401
from . import layers, models  # noqa: F401


def __getattr__(name):
    # import_module, not ``from . import x``: the latter asks this module for ``x`` first and would recurse.
    if name in ("applications", "backend", "datasets", "quantizers"):
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'shapewise.keras' has no attribute {name!r}")

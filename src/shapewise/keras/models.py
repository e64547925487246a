"""``keras.models``: Sequential and Model."""

from ..graph import Functional, Sequential, clone_model  # noqa: F401
from ..graph import make_model as Model  # noqa: F401

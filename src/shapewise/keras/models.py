"""``keras.models``: Sequential and Model."""

from ..graph import Functional, Sequential  # noqa: F401
from ..graph import make_model as Model  # noqa: F401

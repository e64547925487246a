"""``keras.backend``: only what affects model building (auto-naming)."""

from ..engine import clear_session  # noqa: F401

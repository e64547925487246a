"""The snippet front end: Keras (and PyTorch) code pasted from anywhere, interpreted by ``shapewise.interpreter``."""

from ..interpreter import interpret

__all__ = ["interpret"]

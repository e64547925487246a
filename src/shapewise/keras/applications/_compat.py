"""The few pieces of Keras's backend the application builders use, for shapewise.

Keras's builders call ``backend.image_data_format()``, ``backend.is_keras_tensor``, ``backend.get_uid`` and
``backend.name_scope``, ``operation_utils.get_source_inputs`` and ``file_utils.exists``; these are their
shapewise equivalents, so the ported builders read like Keras's. shapewise always works channels_last (Keras's
default) and never reads a weights file.
"""

from __future__ import annotations

import contextlib

from ... import engine
from ...engine import KerasTensor, flatten
from ...errors import ArgumentError
from ...graph import Functional, Sequential  # noqa: F401  (re-exported for the builders)


class backend:  # noqa: N801 - used like Keras's ``backend`` module
    @staticmethod
    def image_data_format():
        return "channels_last"

    @staticmethod
    def is_keras_tensor(x):
        return isinstance(x, KerasTensor)

    @staticmethod
    def get_uid(prefix=""):
        """Keras's global per-prefix counter (the same counters as auto-naming)."""
        return engine.session().uid(prefix)

    @staticmethod
    def name_scope(name):
        # Name scopes only prefix weight paths in Keras 3; layer names and weights' short names are unchanged.
        return contextlib.nullcontext()


class file_utils:  # noqa: N801
    @staticmethod
    def exists(path):
        """A weights file: shapewise never reads one, so refuse it plainly (rather than pretend to load it)."""
        raise ArgumentError(
            f"shapewise does not load weights files; received weights={path!r}",
            expected="weights=None or weights='imagenet' (the architecture, shapes and counts are the same)",
            fix="pass weights=None: loading weights changes no shape or parameter count",
        )


class operation_utils:  # noqa: N801
    @staticmethod
    def get_source_inputs(tensor):
        """The Input tensors ``tensor`` depends on (a list), as Keras's ``get_source_inputs``."""
        if not hasattr(tensor, "_keras_history"):
            return tensor
        layer, node_index, _ = tensor._keras_history
        if not layer or not layer._inbound_nodes:
            return [tensor]
        node = layer._inbound_nodes[node_index]
        if node.is_input:
            return flatten(node.output_tensors)
        sources = []
        for t in node.input_tensors:
            for x in operation_utils.get_source_inputs(t):
                if all(x is not s for s in sources):
                    sources.append(x)
        return sources


class initializers:  # noqa: N801
    class Constant:
        """An initializer's value changes no shape; kept so the builders read like Keras's."""

        def __init__(self, value=0.0):
            self.value = value

        def __repr__(self):
            return f"Constant(value={self.value})"

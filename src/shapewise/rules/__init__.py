"""One module per layer family; each registers its layers by Keras class name (see engine.register).

A family is imported on the first look-up of one of its names in ``engine.REGISTRY`` / ``engine.FUNCTIONS``
(``_index`` says which family holds which name), so a snippet pays only for the families it uses; ``load_all()``
imports them all, for code that looks at the whole registry. A new family goes in ``FAMILIES``; after adding or
renaming a registered name, regenerate the index: ``python -m shapewise.rules._index`` (a test checks it).
"""

import importlib

#: every family, in the order load_all() imports them
FAMILIES = (
    "activations",
    "applications_extra",
    "attention",
    "conv",
    "core",
    "merge",
    "misc",
    "normalization",
    "pooling",
    "preprocessing",
    "regularization",
    "reshaping",
    "rnn",
    "wrappers",
)

_by_name = None  # kind -> {name: module}, from _index, built on the first look-up
_all_loaded = False


def load_family_of(kind, name):
    """Import the module that registers ``name`` (``kind``: "layers" or "functions"), if the index knows one."""
    global _by_name
    if _by_name is None:
        from ._index import FUNCTIONS, LAYERS

        _by_name = {kind: {n: module for module, names in index.items() for n in names}
                    for kind, index in (("layers", LAYERS), ("functions", FUNCTIONS))}
    module = _by_name[kind].get(name)
    if module is not None:
        importlib.import_module(module)


def load_all():
    """Import every family (and so register every layer and functional form)."""
    global _all_loaded
    if not _all_loaded:
        from .. import graph  # noqa: F401  (InputLayer)

        for family in FAMILIES:
            importlib.import_module(f"{__name__}.{family}")
        _all_loaded = True

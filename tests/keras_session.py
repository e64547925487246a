"""Real Keras's ``clear_session`` without a full garbage collection on every call (test-only: tests/conftest.py
installs it once Keras is imported).

``keras.backend.clear_session()`` resets Keras's global state (the layer-name counters, the graph state of the
Functional API), which the differential tests need before building each case, and then runs ``gc.collect()``: with
torch, Keras, TensorFlow and the collected suite in memory, one collection walks 350,000 objects or more, 0.1-0.3 s of
CPU, far more than most tests take to build their models (it was most of the suite's time). The installed function
resets the same state and runs the full collection only when the process has grown by ``GROWTH_MIB`` since the last
one (the applications and the other big models built on the CPU), so the garbage of Keras's reference cycles cannot
pile up; Python's own generational collections run as always. Nothing Keras builds, names or counts changes.
"""

from __future__ import annotations

import gc
import os
import sys

#: a full collection once the resident memory has grown this much since the last one
GROWTH_MIB = 256

_state = {"original": None, "rss_after_collect": None}


def _rss():
    """The resident bytes of this process now (Linux), else its peak."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def clear_session(free_memory=True):
    """Keras's ``clear_session(free_memory=False)``; with ``free_memory``, ``gc.collect()`` only where the process
    grew by GROWTH_MIB since the last collection."""
    _state["original"](free_memory=False)
    if free_memory:
        last = _state["rss_after_collect"]
        if last is None or _rss() > last + GROWTH_MIB * 2**20:
            gc.collect()
            _state["rss_after_collect"] = _rss()


def install():
    """Bind ``clear_session`` wherever Keras's own is bound (keras, keras.backend, keras.utils, its global state
    module...). Idempotent; call it once Keras is imported."""
    if _state["original"] is not None:
        return
    from keras.src.backend.common import global_state

    original = global_state.clear_session
    _state["original"] = original
    for module in list(sys.modules.values()):
        namespace = getattr(module, "__dict__", None)  # (never getattr on the module: lazy modules import on it)
        if isinstance(namespace, dict) and namespace.get("clear_session") is original:
            namespace["clear_session"] = clear_session


def installed():
    return _state["original"] is not None

import glob
import os
import sys

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, os.path.dirname(__file__))
# Test this checkout's own sources (a git worktree beside the installed one included), in subprocesses too.
_SRC = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
sys.path.insert(0, _SRC)
os.environ["PYTHONPATH"] = os.pathsep.join([_SRC] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])


def _cpus():
    """The CPUs this process may use: its affinity, within a cgroup's CPU quota (a CI container's limit)."""
    n = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    for path in ("/sys/fs/cgroup/cpu.max", "/sys/fs/cgroup/cpu/cpu.cfs_quota_us"):
        try:
            with open(path, encoding="ascii") as f:
                fields = f.read().split()
            if path.endswith("cpu.max") and fields[0] != "max":
                n = min(n, max(1, int(fields[0]) // int(fields[1])))
            elif not path.endswith("cpu.max") and int(fields[0]) > 0:
                with open("/sys/fs/cgroup/cpu/cpu.cfs_period_us", encoding="ascii") as f:
                    n = min(n, max(1, int(fields[0]) // int(f.read())))
        except (OSError, ValueError, IndexError, ZeroDivisionError):
            continue
    return max(1, n)


@pytest.hookimpl(optionalhook=True)  # (a pytest-xdist hook: without xdist, never called)
def pytest_xdist_auto_num_workers(config):
    """``-n auto``: one worker per CPU this process may use (PYTEST_XDIST_AUTO_NUM_WORKERS still decides)."""
    env = os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS")
    return int(env) if env and env.isdigit() else _cpus()


# Under pytest-xdist (`-n auto`, the README's test command) the workers already share the CPUs out: each worker's
# torch threads and the random-model generator's process pool get that share, not the whole machine (2 workers on
# 2 cores, each with 2 torch threads and 2 spawned Keras processes, would oversubscribe it). Numbers never depend
# on it; this is read before anything imports torch.
if os.environ.get("PYTEST_XDIST_WORKER"):
    _share = max(1, _cpus() // max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))))
    for _name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "SHAPEWISE_RANDOM_WORKERS"):
        os.environ.setdefault(_name, str(_share))


def pytest_runtest_setup(item):
    """Once real Keras is imported: its clear_session without a full gc.collect() per call (tests/keras_session.py)."""
    if "keras" in sys.modules:
        import keras_session

        if not keras_session.installed():
            keras_session.install()


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the renderers' golden files")


#: the files of the corpora (tests/corpus/keras, tests/corpus/torch), by name
_CORPUS_FILES = {os.path.basename(p) for p in glob.glob(os.path.join(os.path.dirname(__file__), "corpus", "*", "*.py"))}


def _xdist_group(item):
    """The group of tests that must share an xdist worker with ``item``, or None."""
    info = getattr(item, "_fixtureinfo", None)
    if info is not None:
        for name in info.names_closure:
            defs = info.name2fixturedefs.get(name)
            if defs and defs[-1].scope in ("module", "class", "package"):
                return f"module:{item.nodeid.split('::')[0]}"
    callspec = getattr(item, "callspec", None)
    for value in (callspec.params.values() if callspec is not None else ()):
        if isinstance(value, os.PathLike) or (isinstance(value, str) and value.endswith(".py") and "\n" not in value):
            name = os.path.basename(os.fspath(value))
            if name in _CORPUS_FILES:
                return f"corpus:{name}"
    return None


@pytest.hookimpl(tryfirst=True)  # before xdist's worker reads the xdist_group marks (--dist loadgroup)
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``-n auto --dist loadgroup``, the README's test command), keep on one worker:

    - the tests of a file that share a module- or class-scoped fixture (a server, a browser, a patched oracle, a
      notebook run): set up once, as in a serial run;
    - the tests parametrized by one corpus file (whatever their test file): they read the file's one shared real
      run (tests/torch_shared_run.py), made once on that worker.

    A test's own ``xdist_group`` mark wins."""
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        if any(True for _ in item.iter_markers("xdist_group")):
            continue
        group = _xdist_group(item)
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))

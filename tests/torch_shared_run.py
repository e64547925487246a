"""One real-torch run of a PyTorch source, shared by the oracles that read it.

Three oracles run the same file of the PyTorch corpus in real torch: the module description
(tests/torch_snippet_oracle.py, tests/test_torch_snippets.py), the FLOPs FlopCounterMode counts
(tests/torch_flops_oracle.py, tests/test_torch_compute_flops.py) and the calls whose saved bytes are measured
(tests/torch_memory_oracle.py, tests/test_torch_compute_memory.py). ``shared_run(source, device)`` runs the source
once on ``device`` with everything those three record, and keeps what they read, per process, keyed by the
source's text and the device:

- the models DESIGN.md's rule picks (torch_snippet_oracle.run_real, unchanged), their descriptions (taken right
  after the run, before anything else touches the modules) and the error the file raised;
- the FLOPs FlopCounterMode counted inside every module of each of those models (its module tracker naming each
  module by identity, as torch_flops_oracle.flop_counter does);
- the first top-level call of each module the file calls, losses excluded, with its arguments (the rule of
  torch_memory_oracle.run_calls): the live modules, handed out once (``take_calls``: the memory oracle materializes
  them on the CPU and trains them), then dropped.

Nothing here decides a comparison: each oracle compares exactly as it did with a run of its own. A run under
FlopCounterMode and the memory oracle's hooks describes the same modules as a bare run (the mode and the hooks
observe; they change no shape, call or error). With pytest-xdist, tests/conftest.py keeps the tests parametrized by
one corpus file on one worker, so that each file runs once per device in the whole suite.
"""

from __future__ import annotations

import hashlib

_RUNS = {}


class SharedRun:
    """What one run of a source recorded (see the module's docstring)."""

    def __init__(self, source, device):
        self.source = source
        self.device = device
        self.error = None
        self.names = []  # the picked models' names (None where no global holds it)
        self.descriptions = []  # torch_snippet_oracle.describe_real of each picked model (when the file ran)
        self.flops = []  # {qualified name: FLOPs} of each picked model, "" its total (when the file ran)
        self._calls = None  # [(name, module, args, kwargs)] for the memory oracle, until taken

    def take_calls(self):
        """The memory oracle's (calls, error): the live modules of this run, once; a second taker gets a fresh run."""
        calls, self._calls = self._calls, None
        if calls is None:
            fresh = _run(self.source, self.device)
            calls = fresh._calls
        return calls, self.error


def _key(source, device):
    return hashlib.sha256(source.encode("utf-8")).hexdigest(), device


def shared_run(source, device="meta"):
    """The run of ``source`` on ``device`` (made on first use, then kept for this process)."""
    key = _key(source, device)
    run = _RUNS.get(key)
    if run is None:
        run = _RUNS[key] = _run(source, device)
    return run


def peek_run(source, device="meta"):
    """The run of ``source`` on ``device`` if one was made in this process, else None (the description oracle's
    own cases, the random models: nothing else reads their runs, so they are not kept)."""
    return _RUNS.get(_key(source, device))


def _run(source, device):
    from torch_flops_oracle import counted, flop_counter
    from torch_oracle import real_torch
    from torch_snippet_oracle import describe_real, run_real

    torch = real_torch()
    torch.manual_seed(0)
    depth = [0]
    top = []

    def pre(module, args):
        depth[0] += 1

    def post(module, args, kwargs, output):
        depth[0] -= 1
        if depth[0] == 0 and not isinstance(module, torch.nn.modules.loss._Loss) and \
                all(m is not module for m, _, _ in top):
            top.append((module, args, dict(kwargs)))

    run = SharedRun(source, device)
    ns = {}
    with flop_counter() as counter:
        h1 = torch.nn.modules.module.register_module_forward_pre_hook(pre)
        h2 = torch.nn.modules.module.register_module_forward_hook(post, with_kwargs=True)
        try:
            real, calls, error = run_real(source, device, namespace=ns)
        finally:
            h1.remove()
            h2.remove()
    run.error = error.with_traceback(None) if error is not None else None  # (its frames would hold the file's tensors)
    run.names = [name for name, _ in real]
    if error is None:
        run.descriptions = [describe_real(name, model, calls) for name, model in real]
        run.flops = [{q: counted(counter, m) for q, m in model.named_modules()} for _, model in real]

    def name_of(m):
        return next((n for n, v in ns.items() if v is m and not n.startswith("_")), None)

    run._calls = [(name_of(m), m, a, k) for m, a, k in top]
    return run

"""FLOPs of PyTorch models: real torch's ``torch.utils.flop_counter.FlopCounterMode`` against shapewise's compute.

The real side runs the source (our own test code) under FlopCounterMode on the meta device (the CPU where the meta
device raises), with its module tracker naming each module by identity, so that every module's count (its calls
and its children's, as FlopCounterMode's module breakdown counts) is read for that very module. The shapewise side
records the op events of the same source (interpreted, or run on shapewise.torch) and derives its compute. Where
FlopCounterMode is known not to see some work (``nn.Bilinear``, matrix-vector products), shapewise
declares it (``uncounted_flops``) and the comparison adds it back: the analytic count is checked, and the
explanation says how much FlopCounterMode misses.
"""

from __future__ import annotations

import contextlib
import warnings

from torch_oracle import real_torch


@contextlib.contextmanager
def flop_counter():
    """FlopCounterMode, its module tracker naming modules by identity (two instances of one class never merge)."""
    real_torch()
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    counter.mod_tracker._get_mod_name = lambda mod: str(id(mod))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with counter:
            yield counter


def counted(counter, module):
    """The FLOPs FlopCounterMode counted inside ``module``'s calls."""
    return sum(counter.flop_counts.get(str(id(module)), {}).values())


def compare_model(counter, real_model, report, path="model", device="meta"):
    """Differences between FlopCounterMode's count of every module of ``real_model`` and shapewise's ``report``
    (a TorchModelReport of the same model), the model's total included. On the CPU, FlopCounterMode does not see
    the products of torch's fused kernels (attention without dropout, LSTM): shapewise declares them
    (``cpu_unseen_flops``) and they are added back."""
    return compare_counts({name: counted(counter, m) for name, m in real_model.named_modules()}, report, path,
                          device)


def compare_counts(counts, report, path="model", device="meta"):
    """compare_model on ``counts``: the FLOPs FlopCounterMode counted in each module of the real model, by
    qualified name (``""``: the model; tests/torch_shared_run.py records them)."""
    mc = report.compute()
    if mc is None:  # never called: nothing counted on either side
        return [] if counts[""] == 0 and not report.root.calls else \
            [f"{path}: shapewise recorded no call of the model"]
    problems = []
    for row, lc in zip(report.layers, mc.rows):
        want = counts.get(row.name)
        if want is None:
            problems.append(f"{path}.{row.name}: no such module in torch")
            continue
        if not lc.declared:  # work shapewise cannot know (orthogonal's matrix_exp): open, and said so
            if not any("not counted" in line for line in lc.lines()):
                problems.append(f"{path}.{row.name}: work not counted and not said so")
            continue
        unseen = _unseen(lc.uncounted_flops, lc.cpu_unseen_flops, device)
        if lc.flops is None or unseen is None or lc.flops + unseen != want:
            problems.append(f"{path}.{row.name} ({row.type}): FlopCounterMode {want:,} on {device}, shapewise "
                            f"{lc.flops} (of which FlopCounterMode does not see {-(unseen or 0):,})")
    if mc.undeclared:
        return problems
    want = counts[""]
    unseen = _unseen(mc.counter_diff, mc.cpu_unseen, device)
    got = mc.compute["flops"]
    if got is None or unseen is None or got + unseen != want:
        problems.append(f"{path}: total FlopCounterMode {want:,} on {device}, shapewise {got} (declared unseen "
                        f"{-(unseen or 0):,})")
    return problems


def _unseen(uncounted, cpu, device):
    if uncounted is None or cpu is None:
        return None
    return uncounted + (cpu if device == "cpu" else 0)


def run_python(source):
    """The source run on shapewise.torch (its imports bound to shapewise) with the op events recorded: its
    namespace and error."""
    from shapewise.torch.compute import recording
    from torch_oracle import run_shapewise

    with recording():
        return run_shapewise(source)


def compare_python(source, device="meta"):
    """(problems, real error) for a source defining ``model`` and calling it (the family tables, the generator).
    A source both sides raise on has no forward pass to count: no problems, and the error."""
    from shapewise.torch.report import model_report
    from torch_oracle import run_real

    with flop_counter() as counter:
        ns, error, _ = run_real(source, device)
    sw_ns, sw_error = run_python(source)
    if (error is None) != (sw_error is None) and device == "meta":
        # the meta device checks more than the CPU kernels in places (max pooling's padding with dilation) and less
        # in others (a transposed convolution's channels): what the CPU does decides, as in torch_oracle
        device = "cpu"
        with flop_counter() as counter:
            ns, error, _ = run_real(source, device)
    if (error is None) != (sw_error is None):
        return [f"only {'torch' if error is not None else 'shapewise'} raised: {error or sw_error}"], error
    if error is not None:  # both raise (a shape bug): no forward pass to count
        return [], error
    return compare_model(counter, ns["model"], model_report(sw_ns["model"]), device=device), None

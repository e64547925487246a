"""The memory of a training step of a PyTorch model, measured in real torch (2.13.0) on the CPU.

``measure_source(source)`` runs a file of the PyTorch corpus (``exec`` of our own test code, as
tests/torch_snippet_oracle.py does; on the meta device, where it costs nothing, then each called model is
materialized on the CPU with ``to_empty`` and its arguments as CPU tensors of the same shapes, strides and dtypes:
values never change what these models save; a file that raises there runs on the CPU), keeps the first top-level call of each model the file calls (the same rule
as the shape oracle: modules called outside any forward, losses excluded), and calls each again, in the mode the
file left it in (training unless it called ``eval()``), with gradients enabled on the same arguments (detached), inside ``torch.autograd.graph.saved_tensors_hooks``:

- **activations**: the bytes of the tensors torch saves for the backward pass, each storage once (by its
  ``data_ptr``; its whole ``nbytes``), parameters and buffers excluded, only those still held when the call ends
  (a tensor packed and freed with its graph inside the call is not held for the backward pass);
- **per module**: each storage is attributed to the innermost module being called when it was first saved (the
  qualified name; ``""`` for the root's own forward);
- **gradients, optimizer state**: after a real ``backward()`` of the sum of the float outputs, the bytes of each
  parameter's ``.grad`` (a parameter that receives none has none), and after one real ``step()`` of each
  optimizer (sgd, momentum, adam, adamw) the bytes of every tensor of its state.

``measure_module(model, args, kwargs)`` does the same for a module built in a test.
"""

from __future__ import annotations

import warnings
import weakref

from torch_oracle import real_torch

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")


def _flat(value, torch):
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (tuple, list)):
        return [t for v in value for t in _flat(v, torch)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _flat(v, torch)]
    return []


def _detached(value, torch):
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, (tuple, list)):
        return type(value)(_detached(v, torch) for v in value) if not hasattr(value, "_fields") else \
            type(value)(*(_detached(v, torch) for v in value))
    if isinstance(value, dict):
        return {k: _detached(v, torch) for k, v in value.items()}
    return value


def _storage_key(t):
    """A tensor's storage: its data pointer (views share it); on the meta device, where every pointer is 0, the
    storage object's own address."""
    storage = t.untyped_storage()
    return ("meta", storage._cdata) if t.is_meta else storage.data_ptr()


def run_calls(source, device="cpu"):
    """Run ``source`` (on ``device``): [(name, module, args, kwargs)] of the first top-level call of each module
    the file calls (losses excluded), and the error it raised, if any. The run is the source's shared one
    (tests/torch_shared_run.py, which records these calls: one real run per file for the description, FLOPs and
    memory oracles); its modules are this caller's to materialize and train."""
    from torch_shared_run import shared_run

    return shared_run(source, device).take_calls()


def measure_module(model, args, kwargs=None, optimizers=OPTIMIZERS):
    """Saved-for-backward bytes (total and per module) of one training-mode call, then gradients and optimizer
    state after a real backward and step."""
    torch = real_torch()
    torch.manual_seed(0)
    # the arguments as data: a tensor another model made (an encoder's output) starts no graph of its own here
    try:
        args, kwargs = _detached(args, torch), _detached(kwargs or {}, torch)
    except RuntimeError as e:  # a tensor that lived only inside the file's own transform (vmap)
        return {"error": f"arguments: {e}"}
    excluded = {_storage_key(t) for t in list(model.parameters()) + list(model.buffers()) if not t.is_sparse}
    names = {id(m): n for n, m in model.named_modules(remove_duplicate=False)}
    stack = [""]
    first = {}  # data_ptr -> (module name, nbytes, weakref of a tensor on it)
    refs = []

    def pre(module, a):
        stack.append(names.get(id(module), stack[-1]))

    def post(module, a, out):
        stack.pop()

    def pack(t):
        refs.append((weakref.ref(t), stack[-1]))
        return t

    h1 = torch.nn.modules.module.register_module_forward_pre_hook(pre)
    h2 = torch.nn.modules.module.register_module_forward_hook(post)
    try:
        with torch.enable_grad(), torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t), \
                warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = model(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - a call that runs only inside the file's own context (vmap)
        return {"error": f"call: {type(e).__name__}: {e}"}
    finally:
        h1.remove()
        h2.remove()
    for ref, where in refs:
        t = ref()
        if t is None:
            continue  # freed with its graph inside the call: not held for the backward pass
        if t.is_sparse:  # a sparse operand (torch.sparse.mm): its indices and values
            first[id(t)] = (where, t._indices().nbytes + t._values().nbytes)
            continue
        storage = t.untyped_storage()
        ptr = _storage_key(t)
        if ptr in excluded or ptr in first:
            continue
        first[ptr] = (where, storage.nbytes())
    per_module = {}
    for where, nbytes in first.values():
        per_module[where] = per_module.get(where, 0) + nbytes
    outputs = [o for o in _flat(out, torch) if o.requires_grad and o.is_floating_point()]
    result = {"activations": sum(n for _, n in first.values()), "per_module": per_module}
    result.update(_step(model, outputs, torch, optimizers))
    return result


def _step(model, outputs, torch, optimizers=OPTIMIZERS):
    params = [p for p in model.parameters()]
    trainable = [p for p in params if p.requires_grad]
    for p in trainable:
        p.grad = None
    if outputs:
        try:
            sum(o.float().sum() for o in outputs).backward()
        except RuntimeError as e:  # the file changed a saved tensor in place after its call (a training loop)
            return {"error": f"backward: {e}"}
    with_grad = [p for p in trainable if p.grad is not None]
    out = {"float64": bool(params) and all(p.dtype == torch.float64 for p in params),
           "parameters": sum(p.nbytes for p in params), "buffers": sum(b.nbytes for b in model.buffers()),
           "gradients": sum(p.grad.nbytes for p in with_grad),
           "with_grad": {n for n, p in model.named_parameters() if p.grad is not None}}
    makers = {"sgd": lambda ps: torch.optim.SGD(ps, lr=0.0),
              "momentum": lambda ps: torch.optim.SGD(ps, lr=0.0, momentum=0.9),
              "adam": lambda ps: torch.optim.Adam(ps, lr=0.0),
              "adamw": lambda ps: torch.optim.AdamW(ps, lr=0.0)}
    for name in optimizers:
        make = makers[name]
        state = 0
        if trainable:
            opt = make(trainable)
            opt.step()
            for st in opt.state.values():
                state += sum(t.nbytes for t in st.values() if torch.is_tensor(t))
        out[f"optimizer_state_{name}"] = state
    return out


def measure_source(source, optimizers=OPTIMIZERS, calls_out=None, dtype=None):
    """[(name, measurement)] for each model the file calls at top level, or (None, error) when the file raises.
    ``optimizers``: those whose state after a real step is measured; ``calls_out``, a list, gets the
    (name, model, args, kwargs) of each call measured (the real modules: tests/test_torch_compute_memory.py explains
    them live); ``dtype`` ("bfloat16", "float16"): each model and its floating arguments converted to it first."""
    calls, error = run_calls(source, "meta")  # the file's own work costs nothing on the meta device
    if error is None and "meta" not in source:  # (a file that builds its model on the meta device stays there)
        torch = real_torch()
        torch.manual_seed(0)
        memo = {}  # one CPU tensor per meta tensor: an argument given twice (model(idx, targets=idx)) stays one
        calls = [(name, _materialize(model), _on_cpu(args, torch, memo), _on_cpu(kwargs, torch, memo))
                 for name, model, args, kwargs in calls]
    elif error is not None:
        calls, error = run_calls(source)
    if error is not None:
        return None, error
    if dtype is not None:
        torch = real_torch()
        calls = [(name, model.to(getattr(torch, dtype)), _as_dtype(args, torch, dtype), _as_dtype(kwargs, torch, dtype))
                 for name, model, args, kwargs in calls]
    if calls_out is not None:
        calls_out.extend(calls)
    return [(name or type(model).__name__, measure_module(model, args, kwargs, optimizers))
            for name, model, args, kwargs in calls], None


def _as_dtype(value, torch, dtype):
    """Floating tensors converted to ``dtype`` (integer ones as they are)."""
    if isinstance(value, torch.Tensor):
        return value.to(getattr(torch, dtype)) if value.is_floating_point() else value
    if isinstance(value, (tuple, list)):
        items = [_as_dtype(v, torch, dtype) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: _as_dtype(v, torch, dtype) for k, v in value.items()}
    return value


def _materialize(model):
    """``model.to_empty(device="cpu")`` with its tied parameters tied again (to_empty makes one tensor each)."""
    first, tied = {}, []
    for module in model.modules():
        for name, p in module._parameters.items():
            if p is not None:
                if id(p) in first:
                    tied.append((module, name, first[id(p)]))
                else:
                    first[id(p)] = (module, name)
    model.to_empty(device="cpu")
    for module, name, (owner, owner_name) in tied:
        module._parameters[name] = owner._parameters[owner_name]
    return model


def _on_cpu(value, torch, memo):
    """A meta tensor as a CPU tensor of the same shape, strides and dtype (random floats, zero integers: the
    values never change what is saved for the backward pass of the corpus's models); ``memo``: one per tensor."""
    if isinstance(value, torch.Tensor):
        if not value.is_meta:
            return value
        got = memo.get(id(value))
        if got is None:
            t = torch.empty_strided(value.shape, value.stride(), dtype=value.dtype)
            got = memo[id(value)] = (value, t.normal_() if t.is_floating_point() else t.zero_())
        return got[1]
    if isinstance(value, (tuple, list)):
        items = [_on_cpu(v, torch, memo) for v in value]
        return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)
    if isinstance(value, dict):
        return {k: _on_cpu(v, torch, memo) for k, v in value.items()}
    return value

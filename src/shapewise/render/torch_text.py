"""A PyTorch model's report as text: a table like torchinfo's, the totals (each tensor once, buffers apart), then
each module's explanation. Reads a ``TorchModelReport``; computes nothing."""

from __future__ import annotations

from ..dims import fmt_int
from .text import _block, _free_text, _weights_block

_WIDTH = 100


def _shape(shape):
    if shape is None:
        return "--"
    return "[" + ", ".join(_shape(s) if isinstance(s, list) else ("?" if s is None else str(s)) for s in shape) + "]"


def _own_count(layer):
    return sum(_prod(w["shape"]) for w in layer.weights if w["same_as"] is None)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _cell(text, width):
    return text if len(text) <= width else text[: width - 1] + "…"


#: the extra columns ``--columns`` asks for: (title, the cell of a row)
_COLUMN_W = 13


def _flops_cell(layer):
    from ..compute import readable_flops

    c = getattr(layer, "compute", None)
    if c is None or not layer.calls:
        return "--"
    return readable_flops(c.flops)


def _activations_cell(layer):
    from ..report import readable_bytes

    m = getattr(layer, "memory", None)
    if m is None or not layer.calls:
        return "--"
    return "?" if m.activation_bytes is None else readable_bytes(m.activation_bytes)


_COLUMNS = {"flops": ("FLOPs", _flops_cell), "activations": ("Activations", _activations_cell)}


def render_summary(model, extra=(), columns=()):
    """torchinfo's table; ``columns`` ("flops", "activations") adds a column each: a module's forward FLOPs and the
    bytes it saves for the backward pass, its submodules' included (as Param # counts them), over its calls."""
    name_w, depth_w, shape_w, count_w = 40, 5, 20, 13
    columns = [_COLUMNS[c] for c in columns if c in _COLUMNS]
    rule = "=" * (_WIDTH + sum(_COLUMN_W + 1 for _ in columns))
    head = (f"{'Layer (type)':<{name_w}} {'Depth':>{depth_w}}  {'Input Shape':<{shape_w}} "
            f"{'Output Shape':<{shape_w}} {'Param #':>{count_w}}") + \
        "".join(f" {title:>{_COLUMN_W}}" for title, _ in columns)
    lines = [rule, head, rule]
    root = f"{model.name} ({model.type})" if model.name != model.type else model.type
    lines.append(f"{_cell(root, name_w):<{name_w}} {0:>{depth_w}}  {_cell(_shape(model.input_shape), shape_w):<{shape_w}} "
                 f"{_cell(_shape(model.output_shape), shape_w):<{shape_w}} {'--':>{count_w}}"
                 + "".join(f" {'--':>{_COLUMN_W}}" for _ in columns))
    for layer in model.layers:
        label = "  " * layer.depth + f"{layer.name} ({layer.type})"
        own = _own_count(layer)
        count = fmt_int(own) if layer.weights else "--"
        if any(w["same_as"] for w in layer.weights):
            count = f"{count} (tied)" if own else "(tied)"
        lines.append(f"{_cell(label, name_w):<{name_w}} {layer.depth:>{depth_w}}  "
                     f"{_cell(_shape(layer.input_shape), shape_w):<{shape_w}} "
                     f"{_cell(_shape(layer.output_shape), shape_w):<{shape_w}} {count:>{count_w}}"
                     + "".join(f" {cell(layer):>{_COLUMN_W}}" for _, cell in columns))
        for text in layer.tied:
            lines.append(" " * (2 * layer.depth + 2) + "↳ " + text)
        for other in layer.shared_names:
            label = "  " * (other.count(".") + 1) + f"{other} ({layer.type})"
            lines.append(f"{_cell(label, name_w):<{name_w}} {other.count('.') + 1:>{depth_w}}  "
                         f"{'':<{shape_w}} {'':<{shape_w}} {'(recursive)':>{count_w}}")
        if layer.calls > 1:
            lines.append(" " * (2 * layer.depth + 2) + f"↳ called {layer.calls} times (shapes of the first call)")
    lines.append(rule)
    lines.append(f"Total params: {fmt_int(model.total_params)}")
    lines.append(f"Trainable params: {fmt_int(model.trainable_params)}")
    lines.append(f"Non-trainable params: {fmt_int(model.non_trainable_params)}")
    lines.append(f"Buffers (not parameters): {fmt_int(model.buffers)} values")
    lines += compute_footer(model)
    lines += extra  # the training-step memory lines (render_model), under the totals
    lines.append(rule)
    return "\n".join(lines) + "\n"


def compute_footer(model):
    """The totals' compute line: the forward FLOPs of the recorded calls of the model (none when not called)."""
    from ..compute import readable_flops

    mc = model.compute()
    if mc is None:
        return []
    c = mc.compute
    calls = model.root.calls
    batch = f"{'the first call' if calls > 1 else 'the call'} on the example input" + \
        (f"s ({calls} calls)" if calls > 1 else "")
    if calls > 1:
        batch = f"{calls} calls on the example inputs"
    if c["flops"] is None:
        flops = f"{mc.flops_formula} FLOPs"
    else:
        readable = f" ({readable_flops(c['flops'])})" if c["flops"] >= 1000 else ""
        flops = f"{fmt_int(c['flops'])} FLOPs{readable}, {fmt_int(c['macs'])} MACs"
    ops = fmt_int(c["other_ops"]) if c["other_ops"] is not None else "open"
    lines = [f"Forward pass ({batch}): {flops}; other ops: {ops}"]
    if mc.undeclared:
        lines.append(f"Not counted (no cost known): {', '.join(mc.undeclared)}")
    return lines


def render_explanation(layer):
    out = [f"{layer.name} ({layer.type})  {_shape(layer.input_shape)} → {_shape(layer.output_shape)}   "
           f"{fmt_int(layer.params)} params" + (f", {fmt_int(sum(_prod(b['shape']) for b in layer.buffers))} "
                                                f"buffer values" if layer.buffers else "")]
    ex = layer.explanation
    text = ex.shape_text()
    if text:
        out += _block("shape", text)
    for line in ex.derived:
        out += _block("", line)
    if ex.weights:
        out += _weights_block(ex)
    elif layer.params:
        out += _block("params", f"{fmt_int(layer.params)} in its submodules")
    else:
        out += _block("params", "none: this module has no parameters")
    if layer.buffers:
        out += _block("buffers", ", ".join(f"{b['name']} {_shape(b['shape'])}" for b in layer.buffers)
                      + ": state, not parameters (not trained, not in Param #)")
    free = _free_text(ex) if layer.calls and ex.inputs is not None else None
    if free:
        out += _block("free", free)
    if ex.units:
        out += _block("units", ex.units)
    compute = getattr(layer, "compute", None)
    if compute is not None:
        for i, line in enumerate(compute.lines()):
            out += _block("compute" if i == 0 else "", line)
    return out


def memory_footer(model, settings=None):
    """The training-step memory lines under the totals (shapewise.torch.memory), and what dominates."""
    from ..report import readable_bytes

    mm = model.memory(settings) if hasattr(model, "memory") else None
    if mm is None:
        return []
    m = mm.memory
    if m["training_peak"] is None:
        return ["Training step: open (a size that is not known sets the activations')"]
    parts = [f"parameters {readable_bytes(m['parameters'])}"]
    if m["buffers"]:
        parts.append(f"buffers {readable_bytes(m['buffers'])}")
    parts += [f"gradients {readable_bytes(m['gradients'])}", f"{m['optimizer']} state "
              f"{readable_bytes(m['optimizer_state'])}", f"activations {readable_bytes(m['activations'])}"]
    batch = f"{m['dtype']}, batch {m['batch']} as in the example input" if m["batch"] is not None else m["dtype"]
    lines = [f"Training step ({batch}): {readable_bytes(m['training_peak'])} = " + " + ".join(parts),
             f"Inference peak: {readable_bytes(m['inference_peak'])}"]
    if mm.dominant:
        lines.append(f"Largest part of the training step: {mm.dominant}")
    for line in mm.root_lines:
        lines.append(f"{model.type}'s own forward {line}")
    if mm.undeclared:
        lines.append("Saved for backward, not counted (no declaration): " + ", ".join(mm.undeclared))
    return lines


def render_model(model, explain=True, settings=None, columns=()):
    model.compute()  # (derived on first use: each row's figures are set on it)
    footer = memory_footer(model, settings)  # (sets each row's memory figures too)
    parts = [f'Model: "{model.name}"\n' + render_summary(model, footer, columns)]
    mc = model.compute()
    if explain and mc is not None and (mc.root.own_flops or mc.root.own_other_ops or not mc.root.declared):
        # the model's own forward: its ops outside its submodules
        root = f"{model.name} ({model.type})" if model.name != model.type else model.type
        out = [f"{root}  {_shape(model.input_shape)} → {_shape(model.output_shape)}   the model itself"]
        for i, line in enumerate(mc.root.lines()):
            out += _block("compute" if i == 0 else "", line)
        parts.append("\n".join(out) + "\n")
    if explain:
        for layer in model.layers:
            parts.append("\n".join(render_explanation(layer) + _memory_lines(layer)) + "\n")
    if model.error is not None:
        parts.append(f"error: {model.error}\n")
    return "\n".join(parts)


def _memory_lines(layer):
    memory = getattr(layer, "memory", None)
    if memory is None:
        return []
    out = []
    for line in memory.lines:
        out += _block("memory", line)
    return out


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    """A whole run whose models are PyTorch reports (the CLI's dispatch calls this for framework "torch")."""
    from .text import render_error
    from .text import render_model as keras_model

    parts = []
    for kind, item in result.events:
        if kind == "print":
            parts.append(item + "\n")
        elif getattr(item, "framework", None) == "torch":
            parts.append(render_model(item, explain, settings, columns))
        else:
            parts.append(keras_model(item, explain, expand_nested))
    if result.error is not None:
        parts.append(render_error(result.error))
    return "\n".join(parts)

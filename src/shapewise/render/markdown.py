"""Markdown: the summary as a GitHub table, then each layer's explanation as a short section."""

from ..dims import fmt_int
from .text import LEGEND, _free_text, compute_footer, format_shape, readable_bytes, summary_layers, summary_shape


def _esc(text):
    return str(text).replace("|", "\\|")


def render_model(model, explain=True, settings=None):
    mc = model.compute(settings)
    out = [f"## Model `{model.name}` ({model.type})", ""]
    head = ["Layer (type)", "Output Shape", "Param #"] + ([] if model.sequential_like else ["Connected to"])
    out.append("| " + " | ".join(head) + " |")
    out.append("|" + "|".join(["---", "---", "---:"] + ([] if model.sequential_like else ["---"])) + "|")
    for layer in summary_layers(model):
        cells = [f"`{layer.name}` ({layer.type})", f"`{summary_shape(layer.output_shape)}`",
                 fmt_int(layer.params) if layer.built else "0 (unbuilt)"]
        if not model.sequential_like:
            cells.append(", ".join(layer.connected_to) or "-")
        out.append("| " + " | ".join(_esc(c) for c in cells) + " |")
    out.append("")
    out.append(f"- **Total params:** {fmt_int(model.total_params)} ({readable_bytes(model.total_bytes)})")
    out.append(f"- **Trainable params:** {fmt_int(model.trainable_params)} ({readable_bytes(model.trainable_bytes)})")
    out.append(f"- **Non-trainable params:** {fmt_int(model.non_trainable_params)} "
               f"({readable_bytes(model.non_trainable_bytes)})")
    out += ["- " + _esc(line.strip()) for line in compute_footer(model, settings).splitlines()]
    out.append("")
    if explain:
        for layer in model.layers:
            ex = layer.explanation
            out.append(f"### `{layer.name}` ({layer.type}): `{format_shape(layer.input_shape)}` → "
                       f"`{format_shape(layer.output_shape)}`, {fmt_int(layer.params)} params")
            out.append("")
            if ex is None:
                if layer.nested is not None:
                    out.append(f"A {layer.nested.type} model used as one layer, with "
                               f"{len(layer.nested.layers)} layers.")
                    out.append("")
                continue
            out.append(f"- **shape:** {_esc(ex.shape_text())}")
            for line in ex.derived:
                out.append(f"  - `{line}`")
            if ex.weights:
                out.append("- **params:**")
                for w in ex.weights:
                    nums = f" = {w.numbers}" if w.numbers != w.formula and len(w.shape) > 1 else ""
                    flag = "" if w.trainable else " (non-trainable)"
                    out.append(f"  - `{w.label}`: {w.formula or 'scalar'}{nums} = {fmt_int(w.size)}{flag}")
                if ex.formula:
                    out.append(f"  - total: {fmt_int(sum(w.size for w in ex.weights))} = {ex.formula} = "
                               f"{ex.formula_numbers}")
            else:
                out.append("- **params:** none: this layer has no weights")
            free = _free_text(ex)
            if free:
                out.append(f"- **free:** {_esc(free)}")
            if ex.units:
                out.append(f"- **units:** {_esc(ex.units)}")
            if getattr(layer, "compute", None) is not None and layer.type != "InputLayer":
                out.append(f"- **compute:** {_esc(layer.compute.explanation_text())}")
            out.append("")
    return "\n".join(out)


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    parts = []
    for kind, item in result.events:
        if kind == "print":
            parts.append("```\n" + item + "\n```\n")
        elif getattr(item, "framework", None) == "torch":
            from .torch_text import render_model as torch_model

            parts.append("```\n" + torch_model(item, explain).rstrip("\n") + "\n```\n")  # torchinfo's table
        else:
            parts.append(render_model(item, explain, settings))
    for note in getattr(result, "notes", None) and result.note_lines() or ():
        parts.append(f"> **Note:** {_esc(note)}\n")
    if any(getattr(m, "framework", None) != "torch" for m in result.models):
        parts.append(f"*{_esc(LEGEND)}*\n")
    if result.error is not None:
        parts.append(f"**Error:** {_esc(result.error)}\n")
    return "\n".join(parts)

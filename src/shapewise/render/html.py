"""HTML: a self-contained fragment (inline style, no scripts, no external assets) for notebooks and pages."""

from html import escape

from ..dims import fmt_int
from .text import LEGEND, _free_text, compute_footer, format_shape, readable_bytes, summary_layers, summary_shape

_STYLE = (
    "<style>.sw{font-family:system-ui,sans-serif;font-size:14px}.sw table{border-collapse:collapse;margin:6px 0}"
    ".sw td,.sw th{border:1px solid #ccc;padding:3px 8px;text-align:left}.sw td.n{text-align:right}"
    ".sw code{font-family:ui-monospace,monospace}.sw details{margin:4px 0}.sw .err{color:#b00020}"
    ".sw dt{font-weight:600;float:left;width:5.5em}.sw dd{margin-left:6em}</style>"
)


def _model(model, explain, settings=None):
    out = [f"<h3>Model <code>{escape(model.name)}</code> ({escape(model.type)})</h3>", "<table><tr>"]
    head = ["Layer (type)", "Output Shape", "Param #"] + ([] if model.sequential_like else ["Connected to"])
    out.append("".join(f"<th>{escape(h)}</th>" for h in head) + "</tr>")
    for layer in summary_layers(model):
        params = fmt_int(layer.params) if layer.built else "0 (unbuilt)"
        cells = [f"<td><code>{escape(layer.name)}</code> ({escape(layer.type)})</td>",
                 f"<td><code>{escape(summary_shape(layer.output_shape))}</code></td>",
                 f"<td class=n>{params}</td>"]
        if not model.sequential_like:
            cells.append(f"<td>{escape(', '.join(layer.connected_to) or '-')}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    out.append(
        f"<p>Total params: {fmt_int(model.total_params)} ({readable_bytes(model.total_bytes)})<br>"
        f"Trainable params: {fmt_int(model.trainable_params)} ({readable_bytes(model.trainable_bytes)})<br>"
        f"Non-trainable params: {fmt_int(model.non_trainable_params)} "
        f"({readable_bytes(model.non_trainable_bytes)})</p>")
    out.append("<p>" + "<br>".join(escape(line.strip()) for line in compute_footer(model, settings).splitlines())
               + "</p>")
    if not explain:
        return "\n".join(out)
    axes = model.input_axes
    if axes:
        out.append("<ul>")
        for a in axes:
            if a.affects_params is False:
                out.append(f"<li><b>{escape(a.role)} ({a.size})</b>: does not change the parameter count</li>")
            else:
                out.append(f"<li><b>{escape(a.role)} ({a.size})</b>: {escape(a.because or '')}</li>")
        out.append("</ul>")
    for layer in model.layers:
        ex = layer.explanation
        title = (f"<code>{escape(layer.name)}</code> ({escape(layer.type)}) "
                 f"<code>{escape(format_shape(layer.input_shape))} → {escape(format_shape(layer.output_shape))}"
                 f"</code>, {fmt_int(layer.params)} params")
        out.append(f"<details><summary>{title}</summary><dl>")
        if ex is not None:
            out.append(f"<dt>shape</dt><dd>{escape(ex.shape_text())}</dd>")
            for line in ex.derived:
                out.append(f"<dd><code>{escape(line)}</code></dd>")
            out.append(f"<dt>params</dt><dd>{escape(ex.params_text())}</dd>")
            free = _free_text(ex)
            if free:
                out.append(f"<dt>free</dt><dd>{escape(free)}</dd>")
            if ex.units:
                out.append(f"<dt>units</dt><dd>{escape(ex.units)}</dd>")
            if getattr(layer, "compute", None) is not None and layer.type != "InputLayer":
                out.append(f"<dt>compute</dt><dd>{escape(layer.compute.explanation_text())}</dd>")
        elif layer.nested is not None:
            out.append(f"<dt>model</dt><dd>{_model(layer.nested, False, settings)}</dd>")
        out.append("</dl></details>")
    return "\n".join(out)


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    parts = [_STYLE, '<div class="sw">']
    for kind, item in result.events:
        if kind == "print":
            parts.append(f"<pre>{escape(item)}</pre>")
        elif getattr(item, "framework", None) == "torch":
            from .torch_text import render_model as torch_model

            parts.append(f"<pre>{escape(torch_model(item, explain))}</pre>")  # torchinfo's table, as text
        else:
            parts.append(_model(item, explain, settings))
    for note in getattr(result, "notes", None) and result.note_lines() or ():
        parts.append(f'<p class="note">note: {escape(note)}</p>')
    if any(getattr(m, "framework", None) != "torch" for m in result.models):
        parts.append(f"<p><small>{escape(LEGEND)}</small></p>")
    if result.error is not None:
        parts.append(f'<pre class="err">{escape(str(result.error))}</pre>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"

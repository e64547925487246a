"""SVG: the drawing of each model as a flow of shapes, standalone (no scripts, no fonts fetched), deterministic.

One box per layer (name, type, output shape, parameter count as Keras prints it, a bar for its share of the
model's parameters), in rows by the layer's longest distance from an input, with an edge from each inbound layer
labelled with the shape it carries. The same layout rule as the web page. Reads the JSON report only.
"""

from __future__ import annotations

import re
import textwrap
from html import escape

from ..dims import fmt_int
from .text import format_shape

CHAR = 7.2  # width of one character of the 12 px monospace font, for sizing boxes
BOX_H = 46
ROW_GAP = 34
COL_GAP = 16
MARGIN = 16
LANE = 7  # spacing of the edges that skip rows (routed along the right side)

STYLE = """
.sw-svg text{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:12px;
fill:#1d1f21}
.sw-svg .bg{fill:#ffffff}.sw-svg .box{fill:#ffffff;stroke:#b8bcc2;stroke-width:1}
.sw-svg .name{font-weight:700}.sw-svg .muted{fill:#5f6368}.sw-svg .bar-bg{fill:#e6e8eb}.sw-svg .bar{fill:#1f6feb}
.sw-svg .edge{stroke:#8a9099;stroke-width:1.3;fill:none}.sw-svg .arrow{fill:#8a9099}
.sw-svg .label{font-size:11px;fill:#5f6368}.sw-svg .title{font-size:14px;font-weight:700}
.sw-svg .err{fill:#b3261e}.sw-svg .errbox{fill:#fde8e6;stroke:#b3261e}
@media (prefers-color-scheme: dark){.sw-svg text{fill:#e4e6e8}.sw-svg .bg{fill:#1c1f23}
.sw-svg .box{fill:#23272d;stroke:#4a5058}.sw-svg .muted,.sw-svg .label{fill:#9aa0a6}.sw-svg .bar-bg{fill:#30353c}
.sw-svg .bar{fill:#6ea8fe}.sw-svg .err{fill:#ff8a80}.sw-svg .errbox{fill:#3b1f1e;stroke:#ff8a80}}
"""

_CONNECTION = re.compile(r"\[\d+\]\[\d+\]$")


def _num(x):
    """A coordinate as text: integers plain, others with one decimal (deterministic)."""
    return str(int(x)) if x == int(x) else f"{x:.1f}"


class _Box:
    __slots__ = ("layer", "x", "y", "w", "depth")

    def __init__(self, layer, w, depth=0):
        self.layer, self.w, self.depth = layer, w, depth
        self.x = self.y = 0.0


def _box_width(layer):
    top = len(layer["name"]) + len(layer["type"]) + 3
    bottom = len(format_shape(layer.get("output_shape"))) + len(fmt_int(layer.get("params", 0))) + 10
    return max(180.0, max(top, bottom) * CHAR + 20)


def _inbound(layers):
    """{name: [inbound layer names]}: from "connected_to", or the previous layer when the model is a chain."""
    names = {layer["name"] for layer in layers}
    chain = not any(isinstance(layer.get("connected_to"), list) for layer in layers)
    out = {}
    for i, layer in enumerate(layers):
        if chain:
            srcs = [layers[i - 1]["name"]] if i else []
        else:
            srcs = [_CONNECTION.sub("", c) for c in layer.get("connected_to") or []]
        seen = []
        for s in srcs:
            if s != layer["name"] and s in names and s not in seen:
                seen.append(s)
        out[layer["name"]] = seen
    return out


def _ranks(layers, inbound):
    rank = {}
    for layer in layers:  # Keras lists layers after the layers they read (a shared layer: at its first call)
        name = layer["name"]
        rank[name] = max((rank[s] + 1 for s in inbound[name] if s in rank), default=0)
    return rank


def _layer_svg(box, total):
    layer = box.layer
    x, y, w = box.x, box.y, box.w
    params = layer.get("params", 0) or 0
    share = (w - 20) * params / total if total else 0
    ex = layer.get("explanation") or {}
    tip = f"{layer['name']} ({layer['type']}): {format_shape(layer.get('input_shape'))} → " \
          f"{format_shape(layer.get('output_shape'))}, {fmt_int(params)} params"
    if ex.get("params"):
        tip += "\n" + ex["params"]
    nested = layer.get("model")
    parts = [
        f'<g class="layer" data-layer="{escape(layer["name"])}">',
        f"<title>{escape(tip)}</title>",
        f'<rect class="box" x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{BOX_H}" rx="7"/>',
        f'<text class="name" x="{_num(x + 9)}" y="{_num(y + 16)}">{escape(layer["name"])}</text>',
        f'<text class="muted" x="{_num(x + w - 9)}" y="{_num(y + 16)}" text-anchor="end">{escape(layer["type"])}'
        + (f" · {len(nested['layers'])} layers" if nested else "") + "</text>",
        f'<text x="{_num(x + 9)}" y="{_num(y + 32)}">{escape(format_shape(layer.get("output_shape")))}</text>',
        f'<text x="{_num(x + w - 9)}" y="{_num(y + 32)}" text-anchor="end">{fmt_int(params)}'
        f'<tspan class="muted"> params</tspan></text>',
        f'<rect class="bar-bg" x="{_num(x + 10)}" y="{_num(y + 38)}" width="{_num(w - 20)}" height="3" rx="1.5"/>',
    ]
    if share > 0:
        parts.append(f'<rect class="bar" x="{_num(x + 10)}" y="{_num(y + 38)}" width="{_num(max(share, 1))}" '
                     'height="3" rx="1.5"/>')
    parts.append("</g>")
    return "".join(parts)


def _graph(model, top, width_hint=0):
    """(svg parts, height, width) of one Keras model's drawing, starting at y = ``top``."""
    layers = model["layers"]
    if model.get("operations"):  # ops on the model's tensors outside any layer: drawn too, in the summary's order
        by_name = {layer["name"]: layer for layer in layers + model["operations"]}
        layers = [by_name[name] for name in model["summary"]]
    inbound = _inbound(layers)
    rank = _ranks(layers, inbound)
    rows = {}
    for layer in layers:
        rows.setdefault(rank[layer["name"]], []).append(_Box(layer, _box_width(layer)))
    boxes = {}
    y = top
    widest = 0.0
    ordered = [rows[r] for r in sorted(rows)]
    first = layers[0] if layers else None
    entry = None
    if model.get("type") == "Sequential" and first and first["type"] != "InputLayer" and first.get("input_shape"):
        # a Sequential lists no InputLayer: its input is drawn as a plain label, not a layer (as on the page)
        entry = "input  " + format_shape(first["input_shape"])
        entry_w = len(entry) * CHAR + 20
        widest = entry_w
        y += 28 + ROW_GAP
    for row in ordered:
        widest = max(widest, sum(b.w for b in row) + COL_GAP * (len(row) - 1))
    width = max(widest + 2 * MARGIN + 60, width_hint)
    center = MARGIN + widest / 2
    for row in ordered:
        row_w = sum(b.w for b in row) + COL_GAP * (len(row) - 1)
        x = center - row_w / 2
        for b in row:
            b.x, b.y = x, y
            x += b.w + COL_GAP
            boxes[b.layer["name"]] = b
        y += BOX_H + ROW_GAP
    parts = []
    if entry is not None:
        ex = center - entry_w / 2
        parts.append(f'<g class="input"><rect class="box" x="{_num(ex)}" y="{_num(top)}" width="{_num(entry_w)}" '
                     f'height="28" rx="7"/><text class="muted" x="{_num(ex + 10)}" y="{_num(top + 18)}">'
                     f"{escape(entry)}</text></g>")
        tx = boxes[first["name"]].x + boxes[first["name"]].w / 2
        parts.append(f'<path class="edge" d="M{_num(center)},{_num(top + 28)} '
                     f'L{_num(tx)},{_num(top + 28 + ROW_GAP - 1)}" marker-end="url(#sw-arrow)"/>')
    lane = 0
    labelled = set()
    for layer in layers:
        dst = boxes[layer["name"]]
        for src_name in inbound[layer["name"]]:
            src = boxes[src_name]
            sx, sy = src.x + src.w / 2, src.y + BOX_H
            tx, ty = dst.x + dst.w / 2, dst.y
            if 0 < ty - sy <= ROW_GAP:
                mid = (sy + ty) / 2
                d = (f"M{_num(sx)},{_num(sy)} C{_num(sx)},{_num(mid)} {_num(tx)},{_num(mid)} "
                     f"{_num(tx)},{_num(ty - 1)}")
            else:  # a skip over rows: along the right side, in one of a few lanes
                lx = max(src.x + src.w, dst.x + dst.w) + 14 + LANE * (lane % 5)
                lane += 1
                y1, y2 = src.y + BOX_H / 2, dst.y + BOX_H / 2
                x1, x2 = src.x + src.w, dst.x + dst.w
                d = (f"M{_num(x1)},{_num(y1)} C{_num(lx)},{_num(y1)} {_num(lx)},{_num(y1)} "
                     f"{_num(lx)},{_num(y1 + 12)} L{_num(lx)},{_num(y2 - 12)} C{_num(lx)},{_num(y2)} "
                     f"{_num(lx)},{_num(y2)} {_num(x2 + 1)},{_num(y2)}")
            parts.append(f'<path class="edge" d="{d}" marker-end="url(#sw-arrow)"/>')
            if src_name not in labelled:
                labelled.add(src_name)
                parts.append(f'<text class="label" x="{_num(sx + 6)}" y="{_num(sy + 15)}">'
                             f'{escape(format_shape(src.layer.get("output_shape")))}</text>')
    total = model.get("total_params") or 0
    parts.extend(_layer_svg(b, total) for row in ordered for b in row)
    return parts, y - top - ROW_GAP, width


def _tree(model, top):
    """A PyTorch model: its modules in named_modules() order, indented by depth (no data flow is known)."""
    y = top
    parts = []
    width = 0.0
    total = model.get("total_params") or 0
    for layer in model["layers"]:
        b = _Box(layer, _box_width(layer), layer.get("depth", 1) or 1)
        b.x, b.y = MARGIN + 24 * (b.depth - 1), y
        width = max(width, b.x + b.w + MARGIN)
        parts.append(_layer_svg(b, total))
        y += BOX_H + 10
    return parts, y - top - 10, width


def _model_parts(model, top):
    title = f"{model['name']} ({model['type']})"
    totals = (f"Total params: {fmt_int(model['total_params'])} · Trainable: {fmt_int(model['trainable_params'])} · "
              f"Non-trainable: {fmt_int(model['non_trainable_params'])}")
    head = [f'<text class="title" x="{MARGIN}" y="{_num(top + 16)}">{escape(title)}</text>',
            f'<text class="muted" x="{MARGIN}" y="{_num(top + 34)}">{escape(totals)}</text>']
    draw = _tree if model.get("framework") == "torch" else _graph
    parts, height, width = draw(model, top + 50)
    width = max(width, (len(totals) + 2) * CHAR + 2 * MARGIN)
    return [f'<g class="model" data-model="{escape(model["name"])}">'] + head + parts + ["</g>"], height + 50, width


def _nested(models, expand_nested):
    """The models to draw: each reported model, and with ``expand_nested`` each nested model after it."""
    out = []
    for m in models:
        out.append(m)
        if expand_nested:
            out.extend(_nested([layer["model"] for layer in m["layers"] if layer.get("model")], True))
    return out


def render_json(report, expand_nested=False):
    """The SVG for a JSON report (a dict of schema shapewise/1)."""
    parts = []
    y = MARGIN
    width = 360.0
    error = report.get("error")
    if error:
        lines = [error.get("message") or ""]
        where = ", ".join(x for x in (f"layer '{error['layer']}'" if error.get("layer") else "",
                                      f"line {error['line']}" if error.get("line") else "") if x)
        if error.get("expected"):
            lines.append(f"expected: {error['expected']}")
        if error.get("fix"):
            lines.append(f"fix: {error['fix']}")
        lines = [part for line in lines for part in textwrap.wrap(line, 90) or [""]]
        height = 30 + 18 * len(lines)
        width = max(width, max(len(t) for t in lines + [where]) * CHAR + 2 * MARGIN + 24)
        parts.append(f'<g class="error" data-error="{error.get("line") or ""}">'
                     f'<rect class="errbox" x="{MARGIN}" y="{y}" width="{_num(width - 2 * MARGIN)}" '
                     f'height="{height}" rx="7"/>'
                     f'<text class="err title" x="{MARGIN + 12}" y="{y + 20}">{escape(where or "error")}</text>')
        for i, t in enumerate(lines):
            parts.append(f'<text x="{MARGIN + 12}" y="{y + 40 + 18 * i}">{escape(t)}</text>')
        parts.append("</g>")
        y += height + ROW_GAP
    else:
        for model in _nested(report.get("models", []), expand_nested):
            model_parts, height, w = _model_parts(model, y)
            parts += model_parts
            width = max(width, w)
            y += height + ROW_GAP
    height = y - ROW_GAP + MARGIN if parts else 2 * MARGIN
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="sw-svg" width="{_num(width)}" height="{_num(height)}" '
            f'viewBox="0 0 {_num(width)} {_num(height)}" role="img" aria-label="shapewise drawing">'
            f"<style>{STYLE.strip()}</style>"
            '<defs><marker id="sw-arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" '
            'orient="auto-start-reverse"><path class="arrow" d="M0,0 L8,4 L0,8 z"/></marker></defs>'
            f'<rect class="bg" x="0" y="0" width="{_num(width)}" height="{_num(height)}"/>')
    return head + "\n" + "\n".join(parts) + "\n</svg>\n"


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    """The SVG for a RunResult (``shapewise explain --format svg``)."""
    return render_json(result.to_json(explain), expand_nested)

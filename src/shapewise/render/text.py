"""Plain-text rendering: Keras 3's summary table (as it prints on an 80-column terminal) and the explanations.

Pure functions of a ModelReport; no numbers are computed here beyond formatting.
"""

from __future__ import annotations

from itertools import chain, repeat, zip_longest

from ..dims import fmt_int
from ..engine import gc_paused
from ..report import block_groups, readable_bytes

# Keras draws its table with rich on an 80-column terminal; these are the cell widths it ends up with.
_SEQUENTIAL = ((31, "left"), (22, "left"), (13, "right"))
_FUNCTIONAL = ((19, "left"), (17, "left"), (10, "right"), (17, "left"))


def _wrap(text, width):
    """Rich-style word wrap of one cell; a word longer than the cell is cut with an ellipsis."""
    if len(text) <= width and "\n" not in text:
        return [text]
    if "\n" in text or text[0] == " ":
        return _wrap_paragraphs(text, width)
    # One paragraph without indent (the common cell): _wrap_paragraphs' loop with its indent "".
    lines = []
    line = ""
    for word in text.split(" "):
        if len(word) > width:
            word = word[: width - 1] + "…"
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line += " " + word
        else:
            lines.append(line)
            line = word
    lines.append(line)
    return lines


def _wrap_paragraphs(text, width):
    """_wrap of a text with several paragraphs or an indent: each paragraph on its own lines, its indent kept."""
    lines = []
    for paragraph in text.split("\n"):
        indent = paragraph[: len(paragraph) - len(paragraph.lstrip(" "))]  # kept, as rich keeps it
        line = ""
        for word in paragraph[len(indent):].split(" "):
            if len(word) > width:
                word = word[: width - 1] + "…"
            if not line:
                line = indent + word
            elif len(line) + 1 + len(word) <= width:
                line += " " + word
            else:
                lines.append(line)
                line = word
        lines.append(line)
    return lines


class _Layout:
    """A table's column layout and the strings that depend only on it, made once per layout."""

    __slots__ = ("blank_last", "blank_mid", "blank_name", "bottom", "cell_formats", "head", "row_rule", "template",
                 "widths")

    def __init__(self, columns, titles=None):
        self.widths = tuple(width for width, _ in columns)
        # Each cell padded to its column (ljust, or rjust for a right-aligned column) as a %-format: it pads by
        # length as ljust/rjust do, and formats faster than str.format.
        self.cell_formats = tuple(f"%{'' if align == 'right' else '-'}{width}s" for width, align in columns)
        # One line of a row: "│ " + the cells padded + " │".
        self.template = "│ " + " │ ".join(self.cell_formats) + " │"
        # The table's head: its top rule, the column titles, the rule under them.
        titles = titles or ["Layer (type)", "Output Shape", "Param #", "Connected to"][: len(columns)]
        self.head = "\n".join([_rule(columns, "┏", "┳", "┓", "━")]
                              + [line.replace("│", "┃") for line in _row(titles, self)]
                              + [_rule(columns, "┡", "╇", "┩", "━")])
        self.row_rule = _rule(columns, "├", "┼", "┤", "─")
        self.bottom = _rule(columns, "└", "┴", "┘", "─")
        # Parts of a line below a row's first: its start with an empty first cell; what follows the second cell
        # up to the last one, empty; the last cell empty and the line's end.
        self.blank_name = "│ " + " " * self.widths[0]
        self.blank_mid = "".join(" │ " + " " * width for width in self.widths[2:-1]) + " │ "
        self.blank_last = " " * self.widths[-1] + " │\n"


def _row(cells, layout):
    """The lines of one table row: each cell wrapped to its column, the columns side by side."""
    template = layout.template
    wrapped = [_wrap(cell, width) for cell, width in zip(cells, layout.widths)]
    return [template % parts for parts in zip_longest(*wrapped, fillvalue="")]


def _rule(columns, left, mid, right, fill):
    return left + mid.join(fill * (w + 2) for w, _ in columns) + right


_SEQUENTIAL_LAYOUT = _Layout(_SEQUENTIAL)
_FUNCTIONAL_LAYOUT = _Layout(_FUNCTIONAL)
_SPACES = tuple(" " * n for n in range(max(_SEQUENTIAL[0][0], _FUNCTIONAL[0][0]) + 1))  # what pads a cell, by length


def format_shape(shape):
    if shape is None:
        return "?"
    if shape and isinstance(shape[0], list):
        return "[" + ", ".join([format_shape(s) for s in shape]) + "]"
    # "(%s, %s)" % dims: each dim as str() gives it (str(None) is "None", as Keras prints an unknown dim), without
    # a str() call per dim
    template = _SHAPE_TEMPLATES.get(len(shape))
    if template is None:
        template = _SHAPE_TEMPLATES[len(shape)] = "(%s,)" if len(shape) == 1 else f"({', '.join(['%s'] * len(shape))})"
    return template % tuple(shape)


_SHAPE_TEMPLATES = {}  # by rank


def summary_shape(shape):
    """A shape as Keras's summary table writes it (summary_utils.format_shape: the dims joined, so one axis is
    ``(None)``, not Python's ``(None,)``)."""
    if shape is not None and len(shape) == 1 and not isinstance(shape[0], list):
        return f"({shape[0]})"
    if shape and isinstance(shape[0], list):
        return "[" + ", ".join([summary_shape(s) for s in shape]) + "]"
    return format_shape(shape)


def summary_layers(model):
    """The rows of a model's summary table: its layers and, in a functional Keras model, the ops applied to its
    tensors outside any layer (ModelReport.rows); a report without such rows (PyTorch's) lists its layers."""
    return getattr(model, "rows", None) or model.layers


def _rows(model, expand_nested, prefix=""):
    """What each summary row shows: (name prefix, layer, connected), a nested model's rows after its own when
    expanded. ``connected`` is the layer's "Connected to" list for the model's own rows, None for nested rows
    (they show "-")."""
    rows = []
    for layer in summary_layers(model):
        rows.append((prefix, layer, layer.connected_to))
        if expand_nested and layer.nested is not None:
            depth = prefix.count("└") + 1
            rows += [(sub_prefix, sub, None) for sub_prefix, sub, _ in
                     _rows(layer.nested, True, "   " * depth + "└ ")]
    return rows


def summary_rows(model, expand_nested=False, prefix=""):
    """The summary's cells, row by row: name (type), output shape, params and, for a functional layout, the
    inputs the layer is connected to. The plain definition of what render_summary shows."""
    functional = not model.sequential_like
    out = []
    for pre, layer, connected in _rows(model, expand_nested, prefix):
        cells = [f"{pre}{layer.name} ({layer.type})", summary_shape(layer.output_shape),
                 fmt_int(layer.params) if layer.built else "0 (unbuilt)"]
        if functional:
            cells.append(", ".join(connected) if connected else "-")
        out.append(cells)
    return out


def _cut(word, width):
    return word if len(word) <= width else word[: width - 1] + "…"


@gc_paused  # one burst of strings (see engine.gc_paused)
def render_summary(model, expand_nested=False):
    """Keras 3's ``model.summary()`` text: the cells of summary_rows, each wrapped to its column.

    The name and "Connected to" cells are wrapped from their parts when those are plain words (no space, no
    newline), as _wrap wraps the joined text: "name (Type)" is one line if it fits, else the name and "(Type)"
    on a line each, each cut with an ellipsis if too long; a single connection is one word, cut if too long.
    (tests/test_render.py checks this against wrapping summary_rows' cells.)

    For speed, the text is one join of ``parts``: no string per line. A row whose name and connection are such
    words, whose output is one tensor and whose count fits on one line (nearly every row) is its name and its
    connection, each followed by the spaces that pad it, between parts made once per output shape, type and
    count (see _shape_parts, _type_parts). Each row's parts end with the rule under it and the next row's "│ ".
    """
    functional = not model.sequential_like
    layout = _FUNCTIONAL_LAYOUT if functional else _SEQUENTIAL_LAYOUT
    line = layout.template + "\n"
    end = layout.row_rule + "\n│ "  # what ends a row: the rule under it, and the start of the next row
    parts = [f'Model: "{model.name}"\n{layout.head}\n│ ']
    name_width, shape_width, params_width, *connected_width = layout.widths
    connected_width = connected_width[0] if functional else 0
    count_format = f">{params_width},"
    after_count = " │ " if functional else ""
    spaces = _SPACES
    shapes, types, counts, by_lines = {}, {}, {}, {}
    if expand_nested:
        rows = _rows(model, True)
    else:  # the model's own rows (zip reuses its tuple when the loop unpacks it)
        layers = summary_layers(model)
        rows = zip(repeat(""), layers, [layer.connected_to for layer in layers] if functional else repeat(None))
    # A cell that is one line is given as two parts: its text, then what pads it, or "…" when the text is cut.
    for prefix, layer, connected in rows:
        name, kind = layer.name, layer.type
        type_parts = types.get(kind)
        if type_parts is None:
            type_parts = types[kind] = _type_parts(kind, name_width)
        if functional:
            if not connected:
                connected, connected_end = "-", spaces[connected_width - 1]
            elif len(connected) == 1 and (one := connected[0]) and " " not in one and "\n" not in one:
                if len(one) <= connected_width:
                    connected, connected_end = one, spaces[connected_width - len(one)]
                else:
                    connected, connected_end = one[: connected_width - 1], "…"
            else:
                connected = _wrap(", ".join(connected), connected_width)  # a list: wrapped as text
        shape = layer.output_shape
        try:  # one tensor's shape, ints and None, is a key; None and a list of several tensors' shapes are not
            key = tuple(shape)
            shape_parts = shapes.get(key)
        except TypeError:
            shape_lines = _wrap(summary_shape(shape), shape_width)
        else:
            if shape_parts is None:
                shape_parts = shapes[key] = _shape_parts(_wrap(summary_shape(shape), shape_width), layout, end)
            shape_lines, first, below, after_name, middles = shape_parts
            if type_parts and name and not prefix and " " not in name and "\n" not in name and layer.built:
                count = counts.get(layer.params)
                if count is None:  # the count's cell, as fmt_int and padded; "" if it does not fit on one line
                    count = format(layer.params, count_format)
                    count = counts[layer.params] = count + after_count if len(count) <= params_width else ""
                if count:
                    type_line, suffix, room = type_parts
                    room -= len(name)
                    if room >= 0:  # "name (Type)" on one line: the name, " (Type)", the padding
                        if not functional:
                            parts += (name, suffix, spaces[room], first, count, below)
                        elif type(connected) is str:
                            parts += (name, suffix, spaces[room], first, count, connected, connected_end, below)
                        else:  # a connection of several lines
                            parts += (name, suffix, spaces[room], first, count)
                            _lines_below(parts, connected, None, shape_lines, middles, layout, end)
                        continue
                    # the name, cut if too long, then "(Type)" on the second line
                    if len(name) <= name_width:
                        name_end = spaces[name_width - len(name)]
                    else:
                        name, name_end = name[: name_width - 1], "…"
                    if not functional:
                        parts += (name, name_end, first, count, type_line, after_name)
                    elif type(connected) is str:
                        parts += (name, name_end, first, count, connected, connected_end, type_line, after_name)
                    else:  # a connection of several lines
                        parts += (name, name_end, first, count)
                        _lines_below(parts, connected, type_line, shape_lines, middles, layout, end)
                    continue
        # Any other row: every cell wrapped to its column, the columns side by side.
        if type_parts and name and not prefix and " " not in name and "\n" not in name:
            name_lines = [f"{name} ({kind})"] if len(name) + len(kind) + 3 <= name_width else \
                [_cut(name, name_width), _cut(f"({kind})", name_width)]
        else:
            name_lines = _wrap(f"{prefix}{name} ({kind})", name_width)
        params_lines = _wrap(fmt_int(layer.params) if layer.built else "0 (unbuilt)", params_width)
        wrapped = [name_lines, shape_lines, params_lines]
        if functional:
            wrapped.append(connected if type(connected) is list else [connected + connected_end])
        # its lines, without the "│ " the previous row's parts end with, as one %-format
        n = max(map(len, wrapped))
        template = by_lines.get(n)
        if template is None:
            template = by_lines[n] = (line * n)[2:] + "%s"
        parts.append(template % (*chain.from_iterable(zip_longest(*wrapped, fillvalue="")), end))
    # The last row ends with the bottom rule, not with a row rule and a next row (no rows: the head, with no "│ ").
    parts[-1] = parts[-1][: -len(end) if len(parts) > 1 else -2]
    parts.append(f"{layout.bottom}\n Total params: {fmt_int(model.total_params)} "
                 f"({readable_bytes(model.total_bytes)})\n Trainable params: {fmt_int(model.trainable_params)} "
                 f"({readable_bytes(model.trainable_bytes)})\n Non-trainable params: "
                 f"{fmt_int(model.non_trainable_params)} ({readable_bytes(model.non_trainable_bytes)})\n")
    return "".join(parts)


def _type_parts(kind, name_width):
    """What render_summary's rows of one layer type share: (the end of a row's first line and the name's second
    line, "(Type)" cut if too long and padded; " (Type)", after a name it fits with on one line; the room for such
    a name); False when the type has a space or a newline (the name cell is then wrapped as text)."""
    if " " in kind or "\n" in kind:
        return False
    return f" │\n│ {_cut(f'({kind})', name_width):<{name_width}}", f" ({kind})", name_width - len(kind) - 3


def _shape_parts(shape_lines, layout, end):
    """What render_summary's rows of one output shape share: (the shape's lines; " │ " + its first line padded +
    " │ ", between the name's cell and the count's; what ends a row whose name has one line: the end of its first
    line, the lines below and ``end``; what ends a row whose name has a second line, after that line's name cell;
    and, for each line below the first, what stands between its name cell and its last cell)."""
    shape_format = layout.cell_formats[1]
    first = " │ " + shape_format % shape_lines[0] + " │ "
    middles = [" │ " + shape_format % text + layout.blank_mid for text in shape_lines[1:]]
    # each line below the first, after its name cell (a second one when the shape has one line: the name's)
    rest = [middle + layout.blank_last for middle in middles] or \
        [" │ " + " " * layout.widths[1] + layout.blank_mid + layout.blank_last]
    if len(rest) == 1:  # the common case: a shape of one or two lines
        below = " │\n" + layout.blank_name + rest[0] + end if len(shape_lines) > 1 else " │\n" + end
        return shape_lines, first, below, rest[0] + end, middles
    below = "".join([" │\n"] + [layout.blank_name + text for text in rest] + [end])
    after_name = "".join([rest[0]] + [layout.blank_name + text for text in rest[1:]] + [end])
    return shape_lines, first, below, after_name, middles


def _lines_below(parts, connected, type_line, shape_lines, middles, layout, end):
    """render_summary's parts of a row whose connection cell has several lines (a layer with several inputs),
    after its count's cell: the first line's connection, then each line below: its name cell (``type_line``: the
    end of the line above and "(Type)", when the name has a second line), shape cell and count cell, and its
    connection."""
    width = layout.widths[-1]
    blank_start = " │\n" + layout.blank_name
    blank_middle = " │ " + " " * layout.widths[1] + layout.blank_mid
    parts += (connected[0], _SPACES[width - len(connected[0])])
    for i in range(1, max(len(connected), len(shape_lines), 2 if type_line else 1)):
        text = connected[i] if i < len(connected) else ""
        parts += (type_line if i == 1 and type_line else blank_start,
                  middles[i - 1] if i <= len(middles) else blank_middle, text, _SPACES[width - len(text)])
    parts.append(" │\n" + end)


# --------------------------------------------------------------------------------------------------------------
# Explanations

_LABEL = 11  # width of "  depends  "


def _block(label, text, width=100):
    lines = _wrap(text, width - _LABEL - 2)
    out = [f"  {label:<{_LABEL - 2}}{lines[0]}"]
    out += [" " * _LABEL + line for line in lines[1:]]
    return out


def _weights_block(ex):
    if not ex.weights:
        return _block("params", "none: this layer has no weights")
    name_w = max(len(w.label) for w in ex.weights)
    formulas = [w.formula or "scalar" for w in ex.weights]
    formula_w = max(len(f) for f in formulas)
    numbers = [w.numbers if w.numbers != w.formula and len(w.shape) > 1 else "" for w in ex.weights]
    numbers_w = max(len(n) for n in numbers)
    sizes = [fmt_int(w.size) for w in ex.weights]
    size_w = max(len(s) for s in sizes)
    out = []
    for i, (w, formula, num, size) in enumerate(zip(ex.weights, formulas, numbers, sizes)):
        label = "params" if i == 0 else ""
        trainable = "" if w.trainable else "   (non-trainable)"
        mid = f" = {num:>{numbers_w}}" if num else (" " * (numbers_w + 3) if numbers_w else "")
        out.append(f"  {label:<{_LABEL - 2}}{w.label:<{name_w}}  {formula:<{formula_w}}{mid} = {size:>{size_w}}"
                   f"{trainable}")
    total = sum(w.size for w in ex.weights)
    indent = _LABEL + name_w + 2 + formula_w + (3 + numbers_w if numbers_w else 0) + 3 + size_w
    total_text = fmt_int(total)
    if ex.formula:
        tail = f" = {ex.formula} = {ex.formula_numbers}"
    elif len(ex.weights) > 1:
        tail = " = " + " + ".join(sizes)
    else:
        tail = None
    if tail is not None:
        line = " " * (indent - len(total_text)) + total_text + tail
        if len(line) <= 110:
            out.append(line)
        else:  # a long formula: the total under the sizes, the formula wrapped below it
            out.append(" " * (indent - len(total_text)) + total_text)
            out += [" " * _LABEL + text for text in _wrap(tail[1:], 100 - _LABEL)]
    return out


def _free_text(ex):
    if not ex.weights:
        return None
    others = [f"{role} ({value})" if value is not None else role for role, value in ex.free if role != "batch"]
    if not others:
        return "batch only: every other input axis sets the size of a weight"
    why = ex.free_text or "no weight's shape depends on them"
    return f"batch, {', '.join(others)}: {why}"


def render_explanation(layer):
    """One layer's explanation block."""
    out = [f"{layer.name} ({layer.type})  {_io(layer)}   {fmt_int(layer.params)} params"]
    ex = layer.explanation
    if ex is None:
        if layer.nested is not None:
            out += _nested_block(layer.nested)
        return out
    out += _block("shape", ex.shape_text())
    for line in ex.derived:
        out += _block("", line)
    out += _weights_block(ex)
    free = _free_text(ex)
    if free:
        out += _block("free", free)
    if ex.units:
        out += _block("units", ex.units)
    for label, child in ex.children:
        if child.units and child.units != ex.units:
            out += _block("", f"{label}: {child.units}")
    compute = getattr(layer, "compute", None)
    if compute is not None and layer.type != "InputLayer":
        for i, line in enumerate(compute.lines()):
            out += _block("compute" if i == 0 else "", line)
    return out


def _nested_block(nested):
    """A model used as a layer: its composition and what its count depends on, not every layer."""
    out = _block("model", f"a {nested.type} model used as one layer: {len(nested.layers)} layers, "
                          f"{fmt_int(nested.total_params)} parameters ({fmt_int(nested.trainable_params)} "
                          f"trainable, {fmt_int(nested.non_trainable_params)} non-trainable)")
    out += _composition(nested)
    out += render_input_axes(nested)[1:]
    return out


def _composition(model):
    """Layer types by parameter share, and the repeated blocks Keras's layer names reveal."""
    by_type = {}
    for sub in model.layers:
        count, params = by_type.get(sub.type, (0, 0))
        by_type[sub.type] = (count + 1, params + sub.params)
    total = model.total_params or 1
    parts = [f"{count} × {kind} ({fmt_int(params)}, {100 * params / total:.1f}%)" if params else
             f"{count} × {kind}" for kind, (count, params) in sorted(by_type.items(), key=lambda kv: -kv[1][1])]
    out = _block("layers", "; ".join(parts))
    groups = block_groups(model)
    if groups:
        texts = []
        for stage, ids, n_layers, params in groups:
            share = f"{fmt_int(params)} params, {100 * params / total:.1f}%"
            if stage is None:
                texts.append(f"outside the blocks: {n_layers} layers ({share})")
            else:
                label = f"{stage}: " if stage else ""
                texts.append(f"{label}{len(ids)} block{'s' if len(ids) != 1 else ''} of ~{n_layers // len(ids)} "
                             f"layers ({share})")
        out += _block("blocks", "; ".join(texts))
    return out


def _io(layer):
    return f"{format_shape(layer.input_shape)} → {format_shape(layer.output_shape)}"


def render_input_axes(model):
    """Which input sizes the parameter count depends on, for the whole model."""
    if not model.input_axes:
        return []
    free = [a for a in model.input_axes if a.affects_params is False]
    needed = [a for a in model.input_axes if a.affects_params]
    unclear = [a for a in model.input_axes if a.affects_params is None]
    several = len({a.input for a in model.input_axes}) > 1

    def name(a):
        return f"{a.input}:{a.role} ({a.size})" if several else f"{a.role} ({a.size})"

    out = [f"{model.name} ({model.type})  {fmt_int(model.total_params)} params: what the count depends on"]
    if free:
        out += _block("free", f"{', '.join(name(a) for a in free)}: the model builds with "
                              f"{'this size' if len(free) == 1 else 'these sizes'} unknown, so no weight depends "
                              f"on {'it' if len(free) == 1 else 'them'}: any value gives the same "
                              f"{fmt_int(model.total_params)} parameters")
    for a in needed:
        out += _block("depends", f"{name(a)}: {a.because}")
    for a in unclear:
        out += _block("needs", f"{name(a)}: must be known to build the model: {a.because}")
    return out


#: Above this many layers, a model's explanation shows one example per layer type and a composition summary.
COMPACT_ABOVE = 40


def compute_footer(model, settings=None):
    """The totals footer's compute lines: forward FLOPs and the memory of a training step, what dominates."""
    from ..compute import readable_flops

    mc = model.compute(settings)
    c, m = mc.compute, mc.memory
    readable = f" ({readable_flops(c['flops'])})" if c["flops"] is not None and c["flops"] >= 1000 else ""
    flops = (f"{fmt_int(c['flops'])} FLOPs{readable}, {fmt_int(c['macs'])} MACs"
             if c["flops"] is not None else f"{mc.flops_formula} FLOPs")
    ops = fmt_int(c["other_ops"]) if c["other_ops"] is not None else "open"
    lines = [f" Forward pass (batch {c['batch']}): {flops}; other ops: {ops}"]
    if m["training_peak"] is not None:
        parts = [f"parameters {readable_bytes(m['parameters'])}"]
        if m["buffers"]:
            parts.append(f"buffers {readable_bytes(m['buffers'])}")
        parts += [f"gradients {readable_bytes(m['gradients'])}",
                  f"{m['optimizer']} state {readable_bytes(m['optimizer_state'])}",
                  f"activations {readable_bytes(m['activations'])}"]
        lines.append(f" Training step (batch {m['batch']}, {m['dtype']}): {readable_bytes(m['training_peak'])} = "
                     + " + ".join(parts))
        if m["inference_peak"] is not None:
            lines.append(f" Inference peak: {readable_bytes(m['inference_peak'])}")
            if mc.dominant:
                lines.append(f" Largest part of the training step: {mc.dominant}")
    else:
        lines.append(" Training step: open (an unknown dim other than the batch sets the activations' size)")
    if mc.undeclared:
        lines.append(f" Not counted (no compute declared): {', '.join(mc.undeclared)}")
    return "\n".join(lines) + "\n"


#: The definitions behind the figures, printed once after the models (a run of PyTorch models only: the FLOPs').
FLOPS_LEGEND = ("FLOPs are counted as torch.utils.flop_counter.FlopCounterMode counts them: 2 per multiply-accumulate "
                "(MAC) in matrix products, convolutions and attention; other ops are the elementwise work "
                "(activations, normalization, additions, pooling) at the per-element costs of docs/COMPUTE.md")
LEGEND = (FLOPS_LEGEND + "; memory is of one training step: parameters, gradients, optimizer state and the "
          "activations saved for the backward pass.")


def _columns_table(model, columns, settings):
    """The summary table with the asked-for extra columns (FLOPs, activation memory), one row per layer."""
    from ..compute import readable_flops

    model.compute(settings)
    layout = list(_FUNCTIONAL if not model.sequential_like else _SEQUENTIAL)
    titles = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if not model.sequential_like else [])
    extra = [c for c in columns if c in ("flops", "activations")]
    for c in extra:
        layout.append((13, "right"))
        titles.append("FLOPs" if c == "flops" else "Activations")
    lay = _Layout(layout, titles)
    lines = [f'Model: "{model.name}"', lay.head]
    rows = summary_rows(model)
    for k, (cells, layer) in enumerate(zip(rows, summary_layers(model))):
        lc = getattr(layer, "compute", None)
        for c in extra:
            if c == "flops":
                cells.append(readable_flops(lc.flops) if lc is not None and lc.flops is not None else "?")
            else:
                cells.append(readable_bytes(lc.activation_bytes) if lc is not None and lc.activation_bytes is not None
                             else "?")
        lines += _row(cells, lay)
        lines.append(lay.row_rule if k < len(rows) - 1 else lay.bottom)
    if not rows:
        lines.append(lay.bottom)
    lines.append(f" Total params: {fmt_int(model.total_params)} ({readable_bytes(model.total_bytes)})")
    lines.append(f" Trainable params: {fmt_int(model.trainable_params)} ({readable_bytes(model.trainable_bytes)})")
    lines.append(f" Non-trainable params: {fmt_int(model.non_trainable_params)} "
                 f"({readable_bytes(model.non_trainable_bytes)})")
    return "\n".join(lines) + "\n"


def render_model(model, explain=True, expand_nested=False, settings=None, columns=()):
    if columns:
        parts = [_columns_table(model, columns, settings) + compute_footer(model, settings)]
    else:
        parts = [render_summary(model, expand_nested) + compute_footer(model, settings)]
    if explain and model.input_axes:
        parts.append("\n".join(render_input_axes(model)) + "\n")
    if explain and len(model.layers) > COMPACT_ABOVE:
        parts.append("\n".join([f"{model.name} ({model.type})  {len(model.layers)} layers: its composition"]
                               + _composition(model)) + "\n")
        counts = {}
        for layer in model.layers:
            counts[layer.type] = counts.get(layer.type, 0) + 1
        shown = set()
        for layer in model.layers:
            if layer.type in shown:
                continue
            shown.add(layer.type)
            lines = render_explanation(layer)
            if counts[layer.type] > 1:
                lines.append(f"  (the first of {counts[layer.type]} {layer.type} layers; --format json explains "
                             f"every one)")
            parts.append("\n".join(lines) + "\n")
    elif explain:
        for layer in model.layers:
            parts.append("\n".join(render_explanation(layer)) + "\n")
        for layer in model.layers:
            if layer.nested is not None and expand_nested:
                parts.append(render_model(layer.nested, explain, expand_nested, settings))
    return "\n".join(parts)


def render_error(error):
    return f"error: {error}\n"


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    """A whole run: printed lines and model reports in the order they happened, then any error."""
    parts = []
    for kind, item in result.events:
        if kind == "print":
            parts.append(item + "\n")
        elif getattr(item, "framework", None) == "torch":
            from .torch_text import render_model as torch_model

            parts.append(torch_model(item, explain, settings, columns))
        else:
            parts.append(render_model(item, explain, expand_nested, settings, columns))
    for note in getattr(result, "notes", None) and result.note_lines() or ():
        parts.append(f"note: {note}\n")
    if any(getattr(m, "framework", None) != "torch" for m in result.models):
        parts.append("\n".join(_wrap(LEGEND, 110)) + "\n")
    elif any(m.compute() is not None for m in result.models):
        parts.append("\n".join(_wrap(FLOPS_LEGEND + ".", 110)) + "\n")
    if result.error is not None:
        parts.append(render_error(result.error))
    return "\n".join(p for p in parts)

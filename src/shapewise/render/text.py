"""Plain-text rendering: Keras 3's summary table (as it prints on an 80-column terminal) and the explanations.

Pure functions of a ModelReport; no numbers are computed here beyond formatting.
"""

from __future__ import annotations

from itertools import repeat, zip_longest
from operator import attrgetter

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

    __slots__ = ("bottom", "cell_formats", "connected", "fast_row", "head_rule", "row_rule", "template", "top",
                 "widths")

    def __init__(self, columns, connected):
        self.widths = tuple(width for width, _ in columns)
        # Each cell padded to its column (ljust, or rjust for a right-aligned column) as a %-format: it pads by
        # length as ljust/rjust do, and formats faster than str.format.
        self.cell_formats = tuple(f"%{'' if align == 'right' else '-'}{width}s" for width, align in columns)
        # One line of a row: "│ " + the cells padded + " │".
        self.template = "│ " + " │ ".join(self.cell_formats) + " │"
        self.connected = connected  # the last column is "Connected to"
        # A row as render_summary makes most: lead, name, middle, connection (in the functional layout), tail.
        self.fast_row = "%s│ " + self.cell_formats[0] + "%s" + (self.cell_formats[-1] if connected else "") + "%s"
        self.top = _rule(columns, "┏", "┳", "┓", "━")
        self.head_rule = _rule(columns, "┡", "╇", "┩", "━")
        self.row_rule = _rule(columns, "├", "┼", "┤", "─")
        self.bottom = _rule(columns, "└", "┴", "┘", "─")


def _row(cells, layout):
    """The lines of one table row: each cell wrapped to its column, the columns side by side."""
    template = layout.template
    wrapped = [_wrap(cell, width) for cell, width in zip(cells, layout.widths)]
    return [template % parts for parts in zip_longest(*wrapped, fillvalue="")]


def _rule(columns, left, mid, right, fill):
    return left + mid.join(fill * (w + 2) for w, _ in columns) + right


_SEQUENTIAL_LAYOUT = _Layout(_SEQUENTIAL, connected=False)
_FUNCTIONAL_LAYOUT = _Layout(_FUNCTIONAL, connected=True)


def format_shape(shape):
    if shape is None:
        return "?"
    if shape and isinstance(shape[0], list):
        return "[" + ", ".join([format_shape(s) for s in shape]) + "]"
    inner = ", ".join(map(str, shape))  # str(None) is "None", as Keras prints an unknown dim
    return f"({inner},)" if len(shape) == 1 else f"({inner})"


def _rows(model, expand_nested, prefix=""):
    """What each summary row shows: (name prefix, layer, connected), a nested model's rows after its own when
    expanded. ``connected`` is the layer's "Connected to" list for the model's own rows, None for nested rows
    (they show "-")."""
    rows = []
    for layer in model.layers:
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
        cells = [f"{pre}{layer.name} ({layer.type})", format_shape(layer.output_shape),
                 fmt_int(layer.params) if layer.built else "0 (unbuilt)"]
        if functional:
            cells.append(", ".join(connected) if connected else "-")
        out.append(cells)
    return out


def _cut(word, width):
    return word if len(word) <= width else word[: width - 1] + "…"


_CONNECTED = attrgetter("connected_to")


@gc_paused  # one burst of strings (see engine.gc_paused)
def render_summary(model, expand_nested=False):
    """Keras 3's ``model.summary()`` text: the cells of summary_rows, each wrapped to its column.

    The name and "Connected to" cells are wrapped from their parts when those are plain words (no space, no
    newline), as _wrap wraps the joined text: "name (Type)" is one line if it fits, else the name and "(Type)"
    on a line each, each cut with an ellipsis if too long; a single connection is one word, cut if too long.
    (tests/test_render.py checks this against wrapping summary_rows' cells.)

    For speed, the whole text is one %-format made at the end, from ``templates`` (one per row) and ``cells``
    (their arguments): one call, rather than one per line and a join of the lines. And a row whose name and
    connection are such words and whose count fits on one line (nearly every row) has only two cells of its own,
    its name and its connection; the rest repeats from row to row and is made once (see _shape_parts).
    """
    functional = not model.sequential_like
    layout = _FUNCTIONAL_LAYOUT if functional else _SEQUENTIAL_LAYOUT
    header = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if functional else [])
    head = [f'Model: "{model.name}"', layout.top]
    head += [line.replace("│", "┃") for line in _row(header, layout)]
    head.append(layout.head_rule)
    templates = ["%s\n"]
    cells = ["\n".join(head)]
    line = layout.template + "\n"
    fast_row = layout.fast_row
    name_format, _, params_format, *_ = layout.cell_formats
    name_width, shape_width, params_width, *connected_width = layout.widths
    connected_width = connected_width[0] if functional else 0
    lead = ""  # what comes before a row: the rule under the previous row
    rule = layout.row_rule + "\n"
    # What repeats from row to row, made once: by shape, its _shape_parts; by type, its "(Type)" word ("" when
    # the type has a space or a newline: the name is then wrapped as text) and the word's length; by count, the
    # count padded to its column ("" if it does not fit on one line).
    shapes, kinds, counts, by_lines = {}, {}, {}, {}
    if expand_nested:
        rows = _rows(model, True)
    else:  # the model's own rows (zip reuses its tuple when the loop unpacks it)
        layers = model.layers
        rows = zip(repeat(""), layers, map(_CONNECTED, layers) if functional else repeat(""))
    for prefix, layer, connected in rows:
        name, kind = layer.name, layer.type
        word = kinds.get(kind)
        if word is None:
            word = kinds[kind] = "" if " " in kind or "\n" in kind else _cut(f"({kind})", name_width)
        # The name cell: its first line and its second ("" if none); or its lines, wrapped as text.
        if prefix or not word or not name or " " in name or "\n" in name:
            name_lines = _wrap(f"{prefix}{name} ({kind})", name_width)
        elif len(name) + len(kind) + 3 <= name_width:
            name_lines, name, second = None, f"{name} ({kind})", ""
        else:
            name_lines, second = None, word
            if len(name) > name_width:
                name = name[: name_width - 1] + "…"
        if functional:
            if not connected:
                connected = "-"
            elif len(connected) == 1 and (one := connected[0]) and " " not in one and "\n" not in one:
                connected = one if len(one) <= connected_width else one[: connected_width - 1] + "…"
            else:
                connected = _wrap(", ".join(connected), connected_width)  # a list: wrapped as text
        shape = layer.output_shape
        if shape and type(shape[0]) is not list:  # one tensor's shape: ints and None, so it can be a key
            key = tuple(shape)
            parts = shapes.get(key)
            if parts is None:
                parts = shapes[key] = _shape_parts(_wrap(format_shape(shape), shape_width), layout)
            shape_lines, first, below, after_name, middles, tails = parts
            if name_lines is None and type(connected) is str and layer.built:
                # The row's first line is its lead, its name, its middle (the shape's and the count's cells) and
                # its connection; then its tail (the end of that line and the lines below).
                middle = middles.get(layer.params)
                if middle is None:
                    count = counts.get(layer.params)
                    if count is None:
                        count = fmt_int(layer.params)
                        count = counts[layer.params] = params_format % count if len(count) <= params_width else ""
                    middle = middles[layer.params] = first + count + (" │ " if functional else "") if count else ""
                if middle:
                    tail = tails.get(second)
                    if tail is None:
                        tail = tails[second] = " │\n│ " + name_format % second + after_name if second else below
                    templates.append(fast_row)
                    if functional:
                        cells += (lead, name, middle, connected, tail)
                    else:
                        cells += (lead, name, middle, tail)
                    lead = rule
                    continue
        else:
            shape_lines = _wrap(format_shape(shape), shape_width)
        # Any other row: every cell wrapped to its column, the columns side by side.
        if name_lines is None:
            name_lines = [name, second] if second else [name]
        params_lines = _wrap(fmt_int(layer.params) if layer.built else "0 (unbuilt)", params_width)
        wrapped = [name_lines, shape_lines, params_lines]
        n = len(name_lines)
        if len(shape_lines) > n:
            n = len(shape_lines)
        if len(params_lines) > n:
            n = len(params_lines)
        if functional:
            connected_lines = [connected] if type(connected) is str else connected
            if len(connected_lines) > n:
                n = len(connected_lines)
            wrapped.append(connected_lines)
        template = by_lines.get(n)
        if template is None:
            template = by_lines[n] = "%s" + line * n
        templates.append(template)
        cells.append(lead)
        for parts in zip_longest(*wrapped, fillvalue=""):
            cells += parts
        lead = rule
    templates.append("%s\n%s\n%s\n%s\n")
    cells.append(layout.bottom)
    cells.append(f" Total params: {fmt_int(model.total_params)} ({readable_bytes(model.total_bytes)})")
    cells.append(f" Trainable params: {fmt_int(model.trainable_params)} ({readable_bytes(model.trainable_bytes)})")
    cells.append(f" Non-trainable params: {fmt_int(model.non_trainable_params)} "
                 f"({readable_bytes(model.non_trainable_bytes)})")
    return "".join(templates) % tuple(cells)


def _shape_parts(shape_lines, layout):
    """What render_summary's rows of one output shape share: (its lines; ``first``, " │ " + its first line padded
    + " │ ", before the count's cell; ``below``, the end of a row's first line and the lines below it when the
    name has one line; ``after_name``, the rest of the row's second line after the name's second line, and the
    lines below it; and two dicts for render_summary: middles by count, tails by the name's second line)."""
    line = layout.template + "\n"
    blanks = [[""]] * (len(layout.widths) - 2)  # the count's cell and the connection's, below the first line
    lines = [line % parts for parts in zip_longest(["", ""], shape_lines, *blanks, fillvalue="")][1:]
    first = " │ " + layout.cell_formats[1] % shape_lines[0] + " │ "
    below = "".join([" │\n"] + lines) if len(shape_lines) > 1 else " │\n"
    after_name = "".join(lines)[2 + layout.widths[0]:]  # the lines without their first "│ " and name cell
    return shape_lines, first, below, after_name, {}, {}


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


def render_model(model, explain=True, expand_nested=False):
    parts = [render_summary(model, expand_nested)]
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
                parts.append(render_model(layer.nested, explain, expand_nested))
    return "\n".join(parts)


def render_error(error):
    return f"error: {error}\n"


def render(result, explain=True, expand_nested=False):
    """A whole run: printed lines and model reports in the order they happened, then any error."""
    parts = []
    for kind, item in result.events:
        if kind == "print":
            parts.append(item + "\n")
        else:
            parts.append(render_model(item, explain, expand_nested))
    if result.error is not None:
        parts.append(render_error(result.error))
    return "\n".join(p for p in parts)

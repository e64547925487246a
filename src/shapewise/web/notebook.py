"""What notebooks display: the drawing (static SVG) above the summary and every layer's explanation (HTML).

Self-contained: inline style only, no script, nothing fetched, so it shows the same in Jupyter, VS Code and a
notebook exported to HTML.
"""

from __future__ import annotations


def html(result):
    """The notebook HTML for a RunResult."""
    from ..render.html import render as render_html
    from ..render.svg import render_json

    drawing = render_json(result.to_json(True))
    return f'<div class="sw-notebook">\n<div style="overflow:auto;max-height:640px">{drawing}</div>\n' \
           f"{render_html(result)}</div>\n"


class Explained:
    """The result of ``shapewise.explain(source)``: shows itself as text in a console and as HTML in a notebook."""

    def __init__(self, result):
        self.result = result

    @property
    def models(self):
        return self.result.models

    @property
    def error(self):
        return self.result.error

    def to_json(self):
        return self.result.to_json(True)

    def __str__(self):
        from ..render.text import render

        return render(self.result)

    def __repr__(self):
        names = ", ".join(f"{m.name} ({m.total_params:,} params)" for m in self.models)
        tail = f", error: {self.error.message}" if self.error is not None else ""
        return f"<shapewise.Explained: {names or 'no model'}{tail}>"

    def _repr_html_(self):
        return html(self.result)


def explain(source):
    """Interpret a Keras snippet (never executing it) and return what ``shapewise explain`` would explain."""
    from ..engine import gc_paused
    from ..frontends.snippet import interpret

    return Explained(gc_paused(interpret)(source, "<snippet>"))


def model_html(model):
    """The notebook HTML for a model built with the ``shapewise.keras`` API."""
    from ..report import RunResult, model_report

    return html(RunResult(events=[("model", model_report(model))]))

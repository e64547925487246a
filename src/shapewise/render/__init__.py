"""Renderers: one pure function per format, each reading a RunResult and never computing."""


def render(result, fmt="text", explain=True, expand_nested=False, settings=None, columns=()):
    if fmt == "json":
        from .json_ import render as r
    elif fmt == "markdown":
        from .markdown import render as r
    elif fmt == "html":
        from .html import render as r
    elif fmt == "svg":
        from .svg import render as r
    else:
        from .text import render as r
    return r(result, explain=explain, expand_nested=expand_nested, settings=settings, columns=columns)

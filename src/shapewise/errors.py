"""The errors shapewise raises. Each carries structured fields so every renderer can show them.

Two layers, as in einops: a rule raises a short fact (``ShapeError`` with ``got``/``expected``/``fix``), and the
engine or the interpreter fills in the context it knows (the layer's name and class, the source line).
"""

from __future__ import annotations


class ShapewiseError(Exception):
    """Base of every error shapewise reports to a user."""

    exit_code = 2

    def __init__(self, message, *, layer=None, layer_type=None, line=None, got=None, expected=None, fix=None,
                 input_from=None, expected_rank=None):
        super().__init__(message)
        self.expected_rank = expected_rank  # set by rank checks, so advice can compare ranks
        self.input_from = input_from  # which layer(s) produced the input, e.g. "flatten (Flatten)"
        self.message = message
        self.layer = layer
        self.layer_type = layer_type
        self.line = line
        self.got = got
        self.expected = expected
        self.fix = fix
        self.calls = []  # the snippet's function calls it happened in, innermost first: (function, call line)

    def __str__(self):
        parts = []
        where = []
        if self.layer:
            where.append(f"layer '{self.layer}'" + (f" ({self.layer_type})" if self.layer_type else ""))
        elif self.layer_type:  # a layer refused at construction (no name yet): its class
            where.append(self.layer_type)
        if self.line:
            where.append(f"line {self.line}")
        if where:
            parts.append(", ".join(where) + ": ")
        parts.append(self.message)
        if self.got is not None:
            source = f"  (from {self.input_from})" if self.input_from else ""
            parts.append(f"\n  got:      {format_got(self.got)}{source}")
        if self.expected:
            parts.append(f"\n  expected: {self.expected}")
        for function, line in self.calls:
            parts.append(f"\n  in:       {function}(), called at line {line}")
        if self.fix:
            parts.append(f"\n  fix:      {self.fix}")
        return "".join(parts)

    def to_json(self):
        return {
            "layer": self.layer,
            "type": self.layer_type,
            "line": self.line,
            "message": self.message,
            "got": self.got,
            "expected": self.expected,
            "fix": self.fix,
            "input_from": self.input_from,
            "calls": [{"function": f, "line": n} for f, n in self.calls],
            "kind": type(self).__name__,
        }


class ShapeError(ShapewiseError):
    """Where real Keras raises for a shape or argument problem while building a model."""

    exit_code = 1


class UnknownDimError(ShapeError):
    """A weight's size depends on a dimension that is not known (Keras's ``None``)."""


class ArgumentError(ShapeError):
    """A layer or model argument Keras would reject (a negative ``units``, an unknown ``padding``)."""


class NotReplayableError(ShapewiseError):
    """A rule cannot be re-run on a hypothetical input (a custom layer's call is the snippet's code): the report
    then makes no claim that needs such a re-run."""


class RefusedError(ShapewiseError):
    """The snippet interpreter refuses a construct; nothing was run."""

    exit_code = 2


class UsageError(ShapewiseError):
    """A command-line usage problem, or a snippet that builds no model."""

    exit_code = 2


class InternalError(ShapewiseError):
    """shapewise itself failed on this input (a bug): reported as an error, never as a traceback or a result."""

    exit_code = 2

    @classmethod
    def of(cls, exc, line=None):
        return cls(f"shapewise failed here: an internal error ({type(exc).__name__}: {str(exc)[:200]}). This is a bug "
                   "in shapewise, not in your code", line=line,
                   fix="please report it with the snippet; meanwhile, simplify the line it names")


def format_got(got):
    """A shape (tuple of ints/None) or a list of shapes, as Keras prints it."""
    if isinstance(got, list):
        return "[" + ", ".join(format_got(g) for g in got) + "]"
    if isinstance(got, tuple):
        inner = ", ".join("None" if d is None else str(d) for d in got)
        return f"({inner},)" if len(got) == 1 else f"({inner})"
    return str(got)

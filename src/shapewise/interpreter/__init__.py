"""The safe snippet interpreter: code pasted from a tutorial, interpreted from its ``ast``, never run.

Nothing in a snippet is ever executed by Python. Each AST node type has one handler (a dispatch table, as in
simpleeval), and what a name can mean is decided here, not by Python: a name resolves only to shapewise's own
inert objects — namespaces standing for ``keras``/``tensorflow``, the layer classes of the rule registry, models,
layers, symbolic tensors, plain numbers/strings/tuples, functions and classes the snippet defines (held as their
AST and defining scope, interpreted when called) — or to an *opaque* value standing for data the snippet does not
give us (``X_train``, ``np``, ``plt``). Attribute access goes through a fixed table per type; no real ``getattr``
by a user-given name, no call of a Python callable of the snippet's.

Opaque values make the interpreter forgiving where it can be: a statement that only touches them (loading data,
plotting, ``model.fit(X_train, ...)``) is skipped and listed; an opaque value that reaches a layer argument
becomes a named unknown dimension (``X_train.shape[1]``), and only where a concrete number is needed does the
layer fail, naming the line.

Layout: ``core`` (statements, expressions, scopes, functions, classes), ``budgets`` (the global limits),
``values`` (the inert objects and helpers), ``builtins`` (Python builtins implemented here), ``pytypes`` (methods
of lists, dicts, strings), ``keras_ns`` (what ``keras``/``tensorflow`` imports resolve to).
"""

from .core import interpret

__all__ = ["interpret"]

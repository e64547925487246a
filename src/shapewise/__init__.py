"""shapewise: every shape and parameter of a Keras model, explained, without a deep-learning framework."""

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy, so that importing shapewise stays light: the interpreter loads on the first explain().
    if name == "explain":
        from .web.notebook import explain

        return explain
    raise AttributeError(f"module 'shapewise' has no attribute {name!r}")

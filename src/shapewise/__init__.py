"""shapewise: every shape and parameter of a Keras model, explained, without a deep-learning framework."""

__version__ = "0.1.0"

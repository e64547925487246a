"""``keras.random``: random tensors of a given shape, and the random ops on a tensor (same shape).

Their values never matter to shapewise, only their shapes and dtypes (keras/src/random/random.py).
"""

from __future__ import annotations

from ..engine import Spec
from ._table import Table
from .dtypes import standardize_keras_dtype
from .keras_ops import FLOATX, _shape_arg, to_spec

KERAS_RANDOM = Table()
op = KERAS_RANDOM.op


def _sampled(shape, dtype, default=FLOATX):
    return Spec(_shape_arg(shape), standardize_keras_dtype(dtype) or default)


@op("normal", "shape, mean=0.0, stddev=1.0, dtype=None, seed=None")
def _normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _sampled(shape, dtype)


@op("truncated_normal", "shape, mean=0.0, stddev=1.0, dtype=None, seed=None")
def _truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    return _sampled(shape, dtype)


@op("uniform", "shape, minval=0.0, maxval=1.0, dtype=None, seed=None")
def _uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    return _sampled(shape, dtype)


@op("randint", "shape, minval, maxval, dtype='int32', seed=None")
def _randint(shape, minval, maxval, dtype="int32", seed=None):
    return _sampled(shape, dtype, "int32")


@op(("gamma", "binomial", "beta"), "shape, *args, dtype=None, seed=None, **kwargs")
def _other(shape, args=(), dtype=None, seed=None, kwargs=None):
    return _sampled(shape, dtype)


@op("dropout", "inputs, rate, noise_shape=None, seed=None")
def _dropout(inputs, rate, noise_shape=None, seed=None):
    return to_spec(inputs, "inputs")


@op("shuffle", "x, axis=0, seed=None")
def _shuffle(x, axis=0, seed=None):
    return to_spec(x)


@op("categorical", "logits, num_samples, dtype='int32', seed=None")
def _categorical(logits, num_samples, dtype="int32", seed=None):
    logits = to_spec(logits, "logits")
    return Spec((logits.shape[0], *_shape_arg((num_samples,))), standardize_keras_dtype(dtype) or "int32")

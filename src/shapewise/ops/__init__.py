"""The ops vocabulary: shape rules for tensor operations, stated once over Dims and shared by the frameworks.

- :mod:`shapewise.ops.shapes`: framework-neutral rules over tuples of :class:`shapewise.dims.Dim` (broadcasting,
  matmul, reshape with -1, concatenation, reductions, indexing, convolution and pooling arithmetic, ...);
- :mod:`shapewise.ops.dtypes`: dtype promotion, Keras's ``result_type`` and torch's;
- :mod:`shapewise.ops.keras_ops`: ``KERAS_OPS`` and ``KERAS_OPERATORS``, the names of ``keras.ops``;
- :mod:`shapewise.ops.torch_ops`: ``TORCH_FUNCTIONS``, ``TENSOR_METHODS`` and ``FUNCTIONAL``.

Every table function is ``fn(args: list, kwargs: dict)`` and returns a ``Spec``, a tuple of Specs, a Dim or a
tuple of Dims, or a Python scalar; it raises ``ShapeError``/``ArgumentError`` (never a Python error). See
docs/OPS.md. Importing this package imports nothing: the tables are imported where they are used.
"""

# Found by the random differential test (soak seed 1).
# Embedding(..., input_shape=(8,)) as the first layer of a Sequential: Keras creates the InputLayer from
# input_shape and builds the model; shapewise left the model unbuilt (no shapes, 0 params). Cause:
# rules/core.py Embedding.__init__ sets self._input_shape_arg = None unconditionally, discarding an explicit
# input_shape= (it only meant to stop input_dim, the vocabulary size, from being read as a shape).
model = keras.Sequential()
model.add(layers.Embedding(14, 4, input_shape=(8,)))
model.add(layers.Dense(2))

# Found by the random differential test (soak seed 1).
# shapewise crashed with TypeError: 'NoneType' object is not callable in rules/attention.py (Attention.infer
# calls self._weights(ctx, q), but engine.Layer stores the built weights in the instance attribute _weights,
# which shadows the method). Keras builds it.
q = keras.Input(shape=(3, 4))
v = keras.Input(shape=(5, 4))
model = keras.Model([q, v], layers.Attention(use_scale=True)([q, v]))

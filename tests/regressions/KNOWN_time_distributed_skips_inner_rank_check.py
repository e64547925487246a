# Found by the 20,000-model soak (seed 12). KNOWN DIFFERENCE, kept as an expected failure: Keras's TimeDistributed
# asks the inner layer's compute_output_shape, which skips the rank check its __call__ would make, so Keras
# "builds" MaxPooling1D on a 5D input (and would fail when run). shapewise reports the rank error at once.
# one side failed (built / ShapeError calling TimeDistributed)
#   keras: built fine
#   shapewise: line 6: ShapeError [layer=time_distributed]: layer 'time_distributed' (TimeDistributed): in its inner layer 'max_pooling1d' (MaxPooling1D): MaxPooling1D expects a 3D input (batch, steps, channels), but it received a 5D input (None, 4, 3, 1, 6) (expected ndim=3, found ndim=5)
l1 = layers.ConvLSTM3D(6, (1, 2, 2), padding='same', return_sequences=True)
l2 = layers.TimeDistributed(layers.MaxPooling1D(pool_size=(1,), padding='same'))
model = keras.Sequential()
model.add(keras.Input(shape=(1, 4, 3, 1, 2)))
model.add(l1)
model.add(l2)

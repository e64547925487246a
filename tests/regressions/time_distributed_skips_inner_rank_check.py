# Found by the 20,000-model soak (seed 12). Keras's TimeDistributed builds its inner layer and asks its
# compute_output_shape, never calling it, so the inner InputSpec (the rank check) is not asserted: Keras "builds"
# MaxPooling1D on a 5D input (compute_pooling_output_shape broadcasts the 3 spatial axes against the one pool
# size; it would fail when run). shapewise reported the rank error. Fixed: inner layers run with Context.called
# False, and pooling computes Keras's broadcast shape on other ranks.
# one side failed (built / ShapeError calling TimeDistributed)
#   keras: built fine
#   shapewise: line 6: ShapeError [layer=time_distributed]: layer 'time_distributed' (TimeDistributed): in its inner layer 'max_pooling1d' (MaxPooling1D): MaxPooling1D expects a 3D input (batch, steps, channels), but it received a 5D input (None, 4, 3, 1, 6) (expected ndim=3, found ndim=5)
l1 = layers.ConvLSTM3D(6, (1, 2, 2), padding='same', return_sequences=True)
l2 = layers.TimeDistributed(layers.MaxPooling1D(pool_size=(1,), padding='same'))
model = keras.Sequential()
model.add(keras.Input(shape=(1, 4, 3, 1, 2)))
model.add(l1)
model.add(l2)

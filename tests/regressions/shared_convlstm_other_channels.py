# Found by the random differential test (soak seed 2).
# A ConvLSTM2D shared between two inputs with a different number of channels (5, then its own output's 6):
# Keras 3 builds the model (ConvLSTM's input_spec only checks the rank, so the second call is not checked against
# the kernel built for 5 channels); shapewise raises "this layer was already built for another input".
# Cause: engine.py Layer._record_weights rejects any shared call whose weights would differ, while Keras only
# rejects it for layers whose InputSpec pins the axis (Dense, Conv*, ...). Same for LSTM/GRU/SimpleRNN shared on
# another feature size. A decision for the engine owner: follow Keras (build, warn) or keep the stricter error.
i = keras.Input(shape=(1, 2, 2, 5))
lstm = layers.ConvLSTM2D(6, 1, return_sequences=True)
x = lstm(i)
model = keras.Model(i, lstm(x))

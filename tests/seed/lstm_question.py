model = Sequential()
model.add(LSTM(32, input_shape=(10, 64)))
model.add(Dense(2))

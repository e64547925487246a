model = Sequential()
model.add(Dense(10, input_shape=(20, 5)))
model.summary()

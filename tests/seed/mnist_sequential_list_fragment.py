model = Sequential([Dense(32, input_shape=(784,)), ...),])

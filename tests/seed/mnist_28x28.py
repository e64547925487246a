model = models.Sequential()
model.add(layers.Dense(10, input_shape=(28,28)))
model.summary()

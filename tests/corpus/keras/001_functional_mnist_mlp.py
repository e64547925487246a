# Source: keras-io guides/functional_api.py ("Introduction")
import numpy as np
import keras
from keras import layers

inputs = keras.Input(shape=(784,))
img_inputs = keras.Input(shape=(32, 32, 3))

dense = layers.Dense(64, activation="relu")
x = dense(inputs)
x = layers.Dense(64, activation="relu")(x)
outputs = layers.Dense(10)(x)

model = keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")
model.summary()

# (x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()  # offline: MNIST is (60000, 28, 28)
model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=keras.optimizers.RMSprop(),
    metrics=["accuracy"],
)

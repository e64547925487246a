# Source: keras-io examples/timeseries/timeseries_anomaly_detection.py; NAB CSV download replaced by the
# shape of x_train: (3745, 288, 1).
import numpy as np
import keras
from keras import layers

TIME_STEPS = 288
x_train_shape = (3745, TIME_STEPS, 1)

model = keras.Sequential(
    [
        layers.Input(shape=(x_train_shape[1], x_train_shape[2])),
        layers.Conv1D(
            filters=32,
            kernel_size=7,
            padding="same",
            strides=2,
            activation="relu",
        ),
        layers.Dropout(rate=0.2),
        layers.Conv1D(
            filters=16,
            kernel_size=7,
            padding="same",
            strides=2,
            activation="relu",
        ),
        layers.Conv1DTranspose(
            filters=16,
            kernel_size=7,
            padding="same",
            strides=2,
            activation="relu",
        ),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(
            filters=32,
            kernel_size=7,
            padding="same",
            strides=2,
            activation="relu",
        ),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ]
)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
model.summary()

# Source: keras-io guides/working_with_rnns.py ("Performance optimization and CuDNN kernels": build_model()).
import keras
from keras import layers

batch_size = 64
# Each MNIST image batch is a tensor of shape (batch_size, 28, 28).
# Each input sequence will be of size (28, 28) (height is treated like time).
input_dim = 28

units = 64
output_size = 10  # labels are from 0 to 9


# Build the RNN model
def build_model():
    lstm_layer = keras.layers.LSTM(units, input_shape=(None, input_dim))
    model = keras.models.Sequential(
        [
            lstm_layer,
            keras.layers.BatchNormalization(),
            keras.layers.Dense(output_size),
        ]
    )
    return model


# mnist = keras.datasets.mnist  # offline: MNIST images are 28x28, 10 classes
model = build_model()

model.compile(
    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer="sgd",
    metrics=["accuracy"],
)
model.summary()

noncudnn_model = keras.models.Sequential(
    [
        keras.layers.RNN(keras.layers.LSTMCell(units), input_shape=(None, input_dim)),
        keras.layers.BatchNormalization(),
        keras.layers.Dense(output_size),
    ]
)
noncudnn_model.summary()

# Written for this corpus following keras-io examples/timeseries/lstm_vs_cnn_timeseries_classification.py
# (Keras 3): NumPy windows of a synthetic series reshaped to (samples, timesteps, features), and two model
# builders, a stacked LSTM and a 1-D CNN, whose input shapes come from the arrays.
import numpy as np
import keras
from keras import layers

np.random.seed(42)
n_samples, timesteps, n_features = 500, 60, 3
X = np.random.randn(n_samples, timesteps * n_features).astype("float32")
X = X.reshape((X.shape[0], timesteps, n_features))
y = np.random.randint(0, 4, size=(n_samples,))
num_classes = 4
split = int(0.8 * len(X))
X_train, X_test = X[:split], X[split:]
print(X_train.shape, X_test.shape)


def build_lstm_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = layers.LSTM(64, return_sequences=True)(inputs)
    x = layers.Dropout(0.2)(x)
    x = layers.LSTM(32)(x)
    x = layers.Dense(32, activation="relu")(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="lstm_classifier")


def build_cnn_model(input_shape, num_classes):
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for filters in [32, 64, 128]:
        x = layers.Conv1D(filters, kernel_size=3, padding="same", activation="relu")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling1D(pool_size=2)(x)
    x = layers.GlobalAveragePooling1D()(x)
    x = layers.Dropout(0.3)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="cnn_classifier")


lstm_model = build_lstm_model(X_train.shape[1:], num_classes)
cnn_model = build_cnn_model(X_train.shape[1:], num_classes)
lstm_model.summary()
cnn_model.summary()

# Written for this corpus following keras-io examples/timeseries/multivariate_timeseries_forecasting_using_lstm.py
# (Keras 3): sliding windows built with NumPy from a (time, features) array, then an encoder LSTM whose last state
# is repeated for a multi-step forecast.
import numpy as np
import keras
from keras import layers

data = np.random.rand(2000, 7).astype("float32")
mean = data.mean(axis=0)
std = data.std(axis=0)
data = (data - mean) / std

past, future = 72, 12
num_features = data.shape[1]
n_windows = data.shape[0] - past - future
X = np.zeros((n_windows, past, num_features), dtype="float32")
Y = np.zeros((n_windows, future), dtype="float32")
print(X.shape, Y.shape, mean.shape)

inputs = keras.Input(shape=(past, num_features))
x = layers.LSTM(64, return_sequences=True)(inputs)
x = layers.LSTM(32)(x)
x = layers.RepeatVector(future)(x)
x = layers.LSTM(32, return_sequences=True)(x)
x = layers.TimeDistributed(layers.Dense(1))(x)
outputs = layers.Reshape((future,))(x)
model = keras.Model(inputs, outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
model.summary()

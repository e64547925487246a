# Source: keras-io examples/timeseries/timeseries_weather_forecasting.py; Jena climate CSV download replaced by
# the batch shape the example prints: inputs (256, 120, 7).
import keras

learning_rate = 0.001
batch_size = 256
inputs_shape = (batch_size, 120, 7)

inputs = keras.layers.Input(shape=(inputs_shape[1], inputs_shape[2]))
lstm_out = keras.layers.LSTM(32)(inputs)
outputs = keras.layers.Dense(1)(lstm_out)

model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
model.summary()

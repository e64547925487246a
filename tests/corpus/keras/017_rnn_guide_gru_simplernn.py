# Source: keras-io guides/working_with_rnns.py ("Outputs and states").
import keras
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(None,)))
model.add(layers.Embedding(input_dim=1000, output_dim=64))

# The output of GRU will be a 3D tensor of shape (batch_size, timesteps, 256)
model.add(layers.GRU(256, return_sequences=True))

# The output of SimpleRNN will be a 2D tensor of shape (batch_size, 128)
model.add(layers.SimpleRNN(128))

model.add(layers.Dense(10))

model.summary()

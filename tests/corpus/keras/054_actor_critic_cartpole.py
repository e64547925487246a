# Source: keras-io examples/rl/actor_critic_cartpole.py; gym environment and training loop cut
# (CartPole: 4 observations, 2 actions).
import keras
from keras import layers

num_inputs = 4
num_actions = 2
num_hidden = 128

inputs = layers.Input(shape=(num_inputs,))
common = layers.Dense(num_hidden, activation="relu")(inputs)
action = layers.Dense(num_actions, activation="softmax")(common)
critic = layers.Dense(1)(common)

model = keras.Model(inputs=inputs, outputs=[action, critic])
model.summary()

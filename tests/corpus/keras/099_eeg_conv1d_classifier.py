# Written for this corpus following keras-io examples/timeseries/eeg_signal_classification.py (Keras 3): the
# number of classes and the input length computed from NumPy arrays (random stand-ins for the EEG recordings),
# then a Conv1D / BatchNormalization / pooling stack with a dropout and dense head.
import numpy as np
import keras
from keras import layers

QUALITY_THRESHOLD = 128
BATCH_SIZE = 64
SHUFFLE_BUFFER_SIZE = BATCH_SIZE * 2

data_array = np.random.rand(800, 512).astype("float32")
labels = np.random.randint(0, 3, size=(800,))
num_classes = 3
print(data_array.shape, labels.shape)


def create_model():
    input_layer = keras.Input(shape=(data_array.shape[1], 1))
    x = layers.Conv1D(filters=32, kernel_size=3, strides=2, activation="relu", padding="same")(input_layer)
    x = layers.BatchNormalization()(x)
    x = layers.Conv1D(filters=64, kernel_size=3, strides=2, activation="relu", padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv1D(filters=128, kernel_size=5, strides=2, activation="relu", padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Conv1D(filters=256, kernel_size=5, strides=2, activation="relu", padding="same")(x)
    x = layers.BatchNormalization()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(1024, activation="relu")(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(128, activation="relu")(x)
    output_layer = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs=input_layer, outputs=output_layer)


conv_model = create_model()
conv_model.summary()

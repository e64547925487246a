# Written for this corpus following keras-io examples/vision/siamese_contrastive.py (Keras 3), with the euclidean
# distance written with keras.ops on the two towers' KerasTensors instead of a Lambda layer.
import keras
from keras import layers
from keras import ops

input = keras.Input((28, 28, 1))
x = layers.BatchNormalization()(input)
x = layers.Conv2D(4, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Conv2D(16, (5, 5), activation="tanh")(x)
x = layers.AveragePooling2D(pool_size=(2, 2))(x)
x = layers.Flatten()(x)
x = layers.BatchNormalization()(x)
x = layers.Dense(10, activation="tanh")(x)
embedding_network = keras.Model(input, x)

input_1 = keras.Input((28, 28, 1))
input_2 = keras.Input((28, 28, 1))
tower_1 = embedding_network(input_1)
tower_2 = embedding_network(input_2)
sum_square = ops.sum(ops.square(tower_1 - tower_2), axis=1, keepdims=True)
distance = ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))
normal_layer = layers.BatchNormalization()(distance)
output_layer = layers.Dense(1, activation="sigmoid")(normal_layer)
siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
siamese.summary()

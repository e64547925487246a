# Source: "A street fighter's guide to build a GraphCNN" (https://artificialneuralnetworks.org/a-street-fighters-guide-to-build-a-graphcnn/):
# a graph-convolution layer computing f(A X W) with a fixed adjacency matrix, in a model with a parallel Dense
# branch. Written against Keras 3 (tf.keras.backend.dot -> keras.ops.matmul, add_weight(name=...)); the
# article's dataset is replaced by a random graph of 100 nodes with 16 features, 3 classes; the whole graph is one batch.
import numpy as np
import keras
from keras import layers
from keras import ops

num_nodes = 100
num_features = 16
num_classes = 3
rng = np.random.default_rng(0)
A = (rng.random((num_nodes, num_nodes)) < 0.05).astype("float32")
A = A + A.T + np.eye(num_nodes, dtype="float32")
A = A / A.sum(axis=1, keepdims=True)  # row-normalised adjacency with self loops


class GraphConv(layers.Layer):
    def __init__(self, num_outputs, A, activation="sigmoid", **kwargs):
        super().__init__(**kwargs)
        self.num_outputs = num_outputs
        self.activation_function = keras.activations.get(activation)
        self.A = self.add_weight(
            name="A", shape=A.shape, initializer=keras.initializers.Constant(A), trainable=False
        )

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel", shape=[int(input_shape[-1]), self.num_outputs]
        )

    def call(self, inputs):
        output = ops.matmul(ops.matmul(self.A, inputs), self.kernel)
        return self.activation_function(output)


X_input = keras.Input(batch_shape=(num_nodes, num_features))
x_dense = layers.Dense(32, activation="relu")(X_input)
x_graph = GraphConv(32, A, activation="relu")(X_input)
x = layers.Concatenate()([x_dense, x_graph])
x = layers.Dropout(0.3)(x)
outputs = layers.Dense(num_classes, activation="softmax")(x)
model = keras.Model(X_input, outputs)
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.summary()

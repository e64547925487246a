# Source: https://keras.io/api/models/model/ ("By subclassing the Model class", with the `training` argument);
# built by a call on keras.Input(shape=(37,)) as in the page's functional example.
import keras


class MyModel(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense1 = keras.layers.Dense(32, activation="relu")
        self.dense2 = keras.layers.Dense(5, activation="softmax")
        self.dropout = keras.layers.Dropout(0.5)

    def call(self, inputs, training=False):
        x = self.dense1(inputs)
        x = self.dropout(x, training=training)
        return self.dense2(x)


model = MyModel()
_ = model(keras.Input(shape=(37,)))
model.summary()

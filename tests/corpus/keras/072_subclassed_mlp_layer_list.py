# Source: Q&A pattern "hidden layers in a Python list inside a subclassed keras.Model" (cf. keras.io
# guides/making_new_layers_and_models_via_subclassing.py, "Layers are recursively composable"); the layers list
# is built by a comprehension and iterated in call(); built by a call on keras.Input(shape=(20,)).
import keras
from keras import layers


class MLP(keras.Model):
    def __init__(self, hidden_units=(64, 64, 32), num_classes=3, dropout=0.1, **kwargs):
        super().__init__(**kwargs)
        self.hidden = [layers.Dense(u, activation="relu") for u in hidden_units]
        self.dropouts = [layers.Dropout(dropout) for _ in hidden_units]
        self.norm = layers.BatchNormalization()
        self.out = layers.Dense(num_classes, activation="softmax")

    def call(self, inputs, training=False):
        x = self.norm(inputs, training=training)
        for dense, drop in zip(self.hidden, self.dropouts):
            x = drop(dense(x), training=training)
        return self.out(x)


model = MLP()
model(keras.Input(shape=(20,)))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
model.summary()

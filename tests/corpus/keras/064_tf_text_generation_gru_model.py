# Source: tensorflow.org tutorials/text/text_generation (MyModel: Embedding + GRU with return_state + Dense),
# written against Keras 3 (the tutorial's super().__init__(self) -> super().__init__(): Keras 3 raises TypeError on it; the tutorial's gru.get_initial_state(x) call replaced by passing initial_state=None).
# Shakespeare download cut: the tutorial's vocabulary has 66 ids; example batch (64, 100).
import numpy as np
import keras
from keras import layers

vocab_size = 66
embedding_dim = 256
rnn_units = 1024


class MyModel(keras.Model):
    def __init__(self, vocab_size, embedding_dim, rnn_units):
        super().__init__()
        self.embedding = layers.Embedding(vocab_size, embedding_dim)
        self.gru = layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = layers.Dense(vocab_size)

    def call(self, inputs, states=None, return_state=False, training=False):
        x = inputs
        x = self.embedding(x, training=training)
        x, states = self.gru(x, initial_state=states, training=training)
        x = self.dense(x, training=training)

        if return_state:
            return x, states
        else:
            return x


model = MyModel(
    vocab_size=vocab_size,
    embedding_dim=embedding_dim,
    rnn_units=rnn_units,
)
input_example_batch = np.zeros((2, 100), "int32")  # the tutorial's batch is (64, 100); 2 keeps it fast
example_batch_predictions = model(input_example_batch)
print(example_batch_predictions.shape, "# (batch_size, sequence_length, vocab_size)")
model.summary()

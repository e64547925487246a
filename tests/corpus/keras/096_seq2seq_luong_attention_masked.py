# Written for this corpus following the common Keras seq2seq-with-attention answers (Keras 3): masked embeddings
# for the encoder and the decoder, an encoder LSTM returning its sequence and states, a decoder LSTM started from
# them, Luong-style keras.layers.Attention over the encoder outputs, then a per-step softmax.
import keras
from keras import layers

src_vocab, tgt_vocab = 8000, 6000
embed_dim, units = 128, 256

encoder_inputs = keras.Input(shape=(None,), dtype="int32", name="encoder_inputs")
enc_emb = layers.Embedding(src_vocab, embed_dim, mask_zero=True)(encoder_inputs)
encoder_outputs, state_h, state_c = layers.LSTM(units, return_sequences=True, return_state=True)(enc_emb)

decoder_inputs = keras.Input(shape=(None,), dtype="int32", name="decoder_inputs")
dec_emb = layers.Embedding(tgt_vocab, embed_dim, mask_zero=True)(decoder_inputs)
decoder_outputs = layers.LSTM(units, return_sequences=True)(dec_emb, initial_state=[state_h, state_c])

context = layers.Attention()([decoder_outputs, encoder_outputs])
concat = layers.Concatenate(axis=-1)([decoder_outputs, context])
outputs = layers.TimeDistributed(layers.Dense(tgt_vocab, activation="softmax"))(concat)
model = keras.Model([encoder_inputs, decoder_inputs], outputs)
model.summary()

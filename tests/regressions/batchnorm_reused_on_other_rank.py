# Found by scripts/recall_fuzz.py (a built layer called again). BatchNormalization sets InputSpec(ndim=rank,
# axes={axis: channels}) in build(): a later call on another rank fails in Keras even with the same channels.
# shapewise compared only the weights a second build would make (the same here) and built it. Fixed: rules
# declare the InputSpec Keras sets in build() (Context.input_spec); Layer.__call__ asserts it on later calls.
# one side failed (ValueError calling BatchNormalization / built)
#   keras: line 5: ValueError: Input 0 with name 'None' of layer 'batch_normalization' is incompatible with the layer: expected ndim=3, found ndim=4. Full shape received: (None, 3, 4, 5)
#   shapewise: built fine
inp1 = keras.Input(shape=(4, 5))
inp2 = keras.Input(shape=(3, 4, 5))
l3 = layers.BatchNormalization()
x4 = l3(inp1)
x5 = l3(inp2)
model = keras.Model([inp1, inp2], [x4, x5])

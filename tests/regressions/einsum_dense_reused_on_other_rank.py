# Found by the 20,000-model soak (seed 12). EinsumDense fixes its input rank when built (InputSpec(ndim=...));
# reusing it on another rank fails in Keras. Fixed: the rule declares that InputSpec (Context.input_spec).
# one side failed (ValueError calling EinsumDense / built)
#   keras: line 5: ValueError: Input 0 with name 'None' of layer 'einsum_dense' is incompatible with the layer: expected ndim=3, found ndim=4. Full shape received: (None, 8, 3, 5)
#   shapewise: built fine
inp1 = keras.Input(shape=(2, 6))
inp2 = keras.Input(shape=(8, 4))
l3 = layers.EinsumDense('abc,cde->abde', (8, 3, 5), bias_axes='e')
x4 = l3(inp2)
x5 = l3(x4)
l6 = layers.Softmax()
x7 = l6(inp1)
model = keras.Model([inp1, inp2], [x5, x7])

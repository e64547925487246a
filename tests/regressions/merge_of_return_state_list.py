# Found by the 20,000-model soak (seed 13): a merge given a layer's [output, *states] list crashed shapewise
# (AttributeError); Keras raises a ValueError. Fixed: merge layers refuse a nested list with advice.
# shapewise crashed at line 12: AttributeError: 'list' object has no attribute 'rank'
#   keras: line 12: ValueError: Inputs have incompatible shapes. Received shapes (6, 5) and ((None, 5),)
inp1 = keras.Input(shape=(6, 6))
l2 = layers.GRU(5, return_sequences=True, use_bias=False, reset_after=False, return_state=True)
x3 = l2(inp1)[0]
l4 = layers.Dense(1)
x5 = l4(inp1)
l6 = layers.Dense(1)
x7 = l6(inp1)
l8 = layers.Concatenate()
x9 = l8([inp1, x5, x7])
x10 = l2(inp1)
l11 = layers.Subtract()
x12 = l11([x3, x10])
model = keras.Model([inp1], x12)

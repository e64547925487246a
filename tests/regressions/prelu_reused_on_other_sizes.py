# Found by scripts/recall_fuzz.py (a built layer called again). PReLU without shared_axes sets InputSpec(ndim=rank)
# and no axes, so Keras accepts a later call on other sizes (alpha keeps its first shape; it would fail on data).
# shapewise refused because a second build would make another alpha. Fixed: rules declare the exact InputSpec
# (Context.input_spec) instead of comparing weights.
# one side failed (built / ShapeError calling PReLU)
#   keras: built fine
#   shapewise: line 5: ShapeError [layer=p_re_lu]: layer 'p_re_lu' (PReLU): this layer was already built for another input; a shared layer must get inputs of a compatible shape
inp1 = keras.Input(shape=(4, 5))
inp2 = keras.Input(shape=(7, 8))
l3 = layers.PReLU()
x4 = l3(inp1)
x5 = l3(inp2)
model = keras.Model([inp1, inp2], [x4, x5])

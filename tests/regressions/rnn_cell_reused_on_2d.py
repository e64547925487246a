# Found by the 20,000-model soak (seed 13). A generic RNN(cell) built on 3D input and called again on a 2D tensor
# builds in Keras (no rank InputSpec on RNN(cell); a built RNN only runs compute_output_shape, which reads the
# cell's output_size); shapewise re-ran the cell's rule and reported the rank error. Fixed: a call that does not
# build the RNN (Context.building False) leaves its cell alone.
# one side failed (built / UnknownDimError calling RNN)
#   keras: built fine
#   shapewise: line 6: UnknownDimError [layer=rnn]: layer 'rnn' (RNN): in its inner layer 'simple_rnn_cell' (SimpleRNNCell): SimpleRNNCell reads one timestep of input, (batch, features), but it received a 1D input
inp1 = keras.Input(shape=(None, 7))
l2 = layers.RNN(layers.SimpleRNNCell(2))
x3 = l2(inp1)
l4 = layers.Bidirectional(layers.LSTM(1))
x5 = l4(inp1)
x6 = l2(x3)
model = keras.Model([inp1], x6)

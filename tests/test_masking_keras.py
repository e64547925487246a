"""Keras masks and ops outside layers, against real Keras running the same code.

Keras 3 (keras/src/layers/layer.py, Layer.__call__) fills a call's ``mask`` argument (``query_mask``, ... for a
call with several tensors) from the masks its inputs carry, and sets the outputs' masks by ``compute_mask`` when
the layer ``supports_masking``. The ops compute_mask runs (``not_equal``, ``any``, ``logical_or``) are operations
of the functional graph, named from the same counters as layers; a mask that a later layer reads makes them
inputs of that call, so Keras's summary lists them (it lists ``model._operations``), with ops the snippet applied
to KerasTensors outside any layer. Each case is compared with real Keras: layers, the summary's rows (names,
types, output shapes, params, order) and, for the text, the summary Keras prints.
"""

import os

import pytest
from oracle import assert_both_fail, assert_same_source, real_keras, run_keras_source, run_shapewise_source

#: pasted code (imports and keras.ops included: it runs through the interpreter, not test_snippet.py's API parity)
SNIPPETS = {
    "embedding_mask_zero_lstm_functional": """
import keras
from keras import layers
inp = keras.Input((None,), dtype="int32")
x = layers.Embedding(100, 8, mask_zero=True)(inp)
x = layers.LSTM(4, return_sequences=True)(x)
x = layers.Dense(2)(x)
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model(inp, x)
model.summary()
""",
    "sequential_mask_then_functional_names": """
import keras
from keras import layers
m1 = keras.Sequential([layers.Input((5,)), layers.Embedding(10, 3, mask_zero=True), layers.LSTM(2)])
m1.summary()
inp = keras.Input((5,), dtype="int32")
x = layers.Embedding(10, 3, mask_zero=True)(inp)
model = keras.Model(inp, layers.GRU(2)(x))
model.summary()
""",
    "masking_lstm": """
import keras
from keras import layers
inp = keras.Input((6, 3))
x = layers.Masking(mask_value=0.0)(inp)
x = layers.Dropout(0.1)(x)
x = layers.LSTM(4)(x)
model = keras.Model(inp, x)
model.summary()
""",
    "bidirectional_stack_masked": """
import keras
from keras import layers
inp = keras.Input((None,), dtype="int32")
x = layers.Embedding(50, 8, mask_zero=True)(inp)
x = layers.Bidirectional(layers.LSTM(4, return_sequences=True))(x)
x = layers.Bidirectional(layers.GRU(3))(x)
model = keras.Model(inp, layers.Dense(1)(x))
model.summary()
""",
    "merge_of_masked_branches": """
import keras
from keras import layers
a = keras.Input((7,), dtype="int32")
b = keras.Input((7,), dtype="int32")
ea = layers.Embedding(20, 4, mask_zero=True)(a)
eb = layers.Embedding(20, 4, mask_zero=True)(b)
s = layers.Add()([ea, eb])
c = layers.Concatenate()([ea, layers.Dense(4)(s)])
model = keras.Model([a, b], [layers.LSTM(2)(s), layers.SimpleRNN(2)(c)])
model.summary()
""",
    "concatenate_masked_and_unmasked": """
import keras
from keras import layers
a = keras.Input((7,), dtype="int32")
f = keras.Input((7, 4))
ea = layers.Embedding(20, 4, mask_zero=True)(a)
c = layers.Concatenate(axis=1)([ea, f])
model = keras.Model([a, f], layers.LSTM(2)(c))
model.summary()
""",
    "mha_query_mask_from_embedding": """
import keras
from keras import layers
inp = keras.Input((12,), dtype="int32")
x = layers.Embedding(30, 16, mask_zero=True)(inp)
y = layers.MultiHeadAttention(num_heads=2, key_dim=8)(x, x)
y = layers.LayerNormalization()(layers.Add()([x, y]))
model = keras.Model(inp, layers.GlobalAveragePooling1D()(y))
model.summary()
""",
    "attention_layer_masks": """
import keras
from keras import layers
q_in = keras.Input((None,), dtype="int32")
v_in = keras.Input((None,), dtype="int32")
emb = layers.Embedding(40, 8, mask_zero=True)
q, v = emb(q_in), emb(v_in)
att = layers.Attention()([q, v])
model = keras.Model([q_in, v_in], layers.GlobalAveragePooling1D()(att))
model.summary()
""",
    "explicit_mask_argument": """
import keras
from keras import layers
x = keras.Input((5, 3))
m = keras.Input((5,), dtype="bool")
model = keras.Model([x, m], layers.LSTM(4)(x, mask=m))
model.summary()
""",
    "time_distributed_masked": """
import keras
from keras import layers
inp = keras.Input((None,), dtype="int32")
x = layers.Embedding(100, 8, mask_zero=True)(inp)
x = layers.TimeDistributed(layers.Dense(3))(x)
x = layers.LSTM(2)(x)
model = keras.Model(inp, x)
model.summary()
""",
    "custom_layer_supports_masking_and_reads_mask": """
import keras
from keras import layers, ops

class TemporalSoftmax(layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        broadcast_float_mask = ops.expand_dims(ops.cast(mask, "float32"), -1)
        inputs_exp = ops.exp(inputs) * broadcast_float_mask
        inputs_sum = ops.sum(inputs_exp * broadcast_float_mask, axis=-1, keepdims=True)
        return inputs_exp / inputs_sum

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=10, output_dim=32, mask_zero=True)(inputs)
x = layers.Dense(1)(x)
x = TemporalSoftmax()(x)
model = keras.Model(inputs, layers.LSTM(3)(x))
model.summary()
""",
    "custom_compute_mask_ops_in_graph": """
import keras
from keras import layers, ops

class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.position_embeddings = layers.Embedding(input_dim=sequence_length, output_dim=embed_dim)
        self.sequence_length = sequence_length

    def call(self, inputs):
        length = ops.shape(inputs)[-1]
        positions = ops.arange(0, length, 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)

class Pool(layers.Layer):
    def call(self, inputs, mask=None):
        m = ops.expand_dims(ops.cast(mask, "float32"), -1)
        return ops.sum(inputs * m, axis=1) / ops.sum(m, axis=1)

inp = keras.Input((None,), dtype="int32")
x = PositionalEmbedding(20, 100, 16)(inp)
x = layers.Dense(16)(x)
model = keras.Model(inp, Pool()(x))
model.summary()
""",
    "custom_layer_drops_mask": """
import keras
from keras import layers, ops

class Scale(layers.Layer):
    def call(self, inputs):
        return inputs * 2.0

inp = keras.Input((None,), dtype="int32")
x = layers.Embedding(50, 4, mask_zero=True)(inp)
x = Scale()(x)
model = keras.Model(inp, layers.LSTM(2)(x))
model.summary()
""",
    "custom_compute_mask_only": """
import keras
from keras import layers, ops

class Split(layers.Layer):
    def call(self, inputs):
        return ops.split(inputs, 2, axis=1)

    def compute_mask(self, inputs, mask=None):
        if mask is None:
            return None
        return ops.split(mask, 2, axis=1)

inp = keras.Input((10,), dtype="int32")
x = layers.Embedding(50, 4, mask_zero=True)(inp)
first, second = Split()(x)
model = keras.Model(inp, [layers.LSTM(2)(first), layers.GRU(3)(second)])
model.summary()
""",
    "ops_outside_layers": """
import keras
from keras import layers, ops
inp = keras.Input((4, 8))
x = layers.Dense(8)(inp)
y = x * 2.0
z = ops.expand_dims(y, -1)
w = ops.mean(z, axis=2)
s = x + inp
t = ops.concatenate([s, y], axis=-1)
u = layers.Dense(3)(t)
v = ops.reshape(ops.transpose(u, (0, 2, 1)), (-1, 12))
q = ops.softmax(v[:, :6]) - ops.sqrt(ops.abs(v[:, 6:]))
model = keras.Model(inp, [u, w, q])
model.summary()
""",
    "ops_outside_layers_sequential_like": """
import keras
from keras import layers, ops
inp = keras.Input((16,))
x = layers.Dense(8)(inp)
x = ops.relu(x)
x = ops.expand_dims(x, 1)
x = ops.squeeze(x, axis=1)
model = keras.Model(inp, layers.Dense(2)(x))
model.summary()
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_same_as_keras(source):
    assert_same_source(source)


def _keras_summary_text(source):
    """What real Keras prints for the snippet's summary() calls (80 columns, as shapewise prints)."""
    import contextlib
    import io

    keras = real_keras()
    keras.backend.clear_session()
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"
    printed = io.StringIO()
    original = keras.Model.summary
    texts = []
    keras.Model.summary = lambda self, **kw: original(self, print_fn=lambda t, **k: texts.append(t), **kw)
    try:
        with keras.device("meta"), contextlib.redirect_stdout(printed):
            exec(compile(source, "<case>", "exec"), {"__name__": "__main__"})  # our own test source
    finally:
        keras.Model.summary = original
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old
    return ["".join(t).strip("\n") for t in texts]


@pytest.mark.keras
@pytest.mark.parametrize("name", SNIPPETS.keys())
def test_summary_text_is_keras_text(name):
    from shapewise.frontends.snippet import interpret
    from shapewise.render.text import render_summary

    result = interpret(SNIPPETS[name], "<case>")
    assert result.error is None, result.error
    ours = [render_summary(model).strip("\n") for model in result.models]
    assert ours == _keras_summary_text(SNIPPETS[name])


def test_operations_in_json_and_markdown():
    """The JSON lists the op rows apart (``layers`` stays model.layers) with the summary's order; the Markdown
    and HTML tables show them as rows."""
    from shapewise.frontends.snippet import interpret
    from shapewise.render import render

    result = interpret(SNIPPETS["ops_outside_layers_sequential_like"], "<case>")
    code, data = run_shapewise_source(SNIPPETS["ops_outside_layers_sequential_like"])
    model = data["models"][0]
    assert [layer["name"] for layer in model["layers"]] == ["input_layer", "dense", "dense_1"]
    assert model["summary"] == ["input_layer", "dense", "relu", "expand_dims", "squeeze", "dense_1"]
    assert [op["type"] for op in model["operations"]] == ["Relu", "ExpandDims", "Squeeze"]
    assert "`expand_dims` (ExpandDims)" in render(result, "markdown")
    assert "<code>squeeze</code> (Squeeze)" in render(result, "html")


#: the layers whose call() reads the mask, and what it does without one, as real Keras does
FAILS = {
    "custom_call_indexes_missing_mask": """
import keras
from keras import layers, ops

class NeedsMask(layers.Layer):
    def call(self, inputs, mask=None):
        return inputs * ops.expand_dims(ops.cast(mask, "float32"), -1)

inp = keras.Input((5, 3))
model = keras.Model(inp, NeedsMask()(layers.Dense(3)(inp)))
""",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", FAILS.values(), ids=FAILS.keys())
def test_fails_as_keras_fails(source):
    assert_both_fail(source)


#: one instance of each layer whose supports_masking differs across Keras's layers
SUPPORTS = {
    "Dense": "layers.Dense(2)", "EinsumDense": 'layers.EinsumDense("ab,bc->ac", (2,))', "Conv1D": "layers.Conv1D(2, 3)",
    "Flatten": "layers.Flatten()", "Reshape": "layers.Reshape((2,))", "Dropout": "layers.Dropout(0.1)",
    "SpatialDropout1D": "layers.SpatialDropout1D(0.1)", "GaussianNoise": "layers.GaussianNoise(0.1)",
    "Activation": 'layers.Activation("relu")', "ReLU": "layers.ReLU()", "Softmax": "layers.Softmax()",
    "LayerNormalization": "layers.LayerNormalization()", "BatchNormalization": "layers.BatchNormalization()",
    "Embedding": "layers.Embedding(3, 2)", "Embedding_mask_zero": "layers.Embedding(3, 2, mask_zero=True)",
    "Masking": "layers.Masking()", "LSTM": "layers.LSTM(2)", "GRU": "layers.GRU(2, return_sequences=True)",
    "SimpleRNN": "layers.SimpleRNN(2)", "ConvLSTM1D": "layers.ConvLSTM1D(2, 3)",
    "Bidirectional": "layers.Bidirectional(layers.LSTM(2))", "TimeDistributed": "layers.TimeDistributed(layers.Dense(2))",
    "Add": "layers.Add()", "Concatenate": "layers.Concatenate()", "Dot": "layers.Dot(1)",
    "Attention": "layers.Attention()", "MultiHeadAttention": "layers.MultiHeadAttention(2, 2)",
    "GlobalAveragePooling1D": "layers.GlobalAveragePooling1D()", "GlobalMaxPooling1D": "layers.GlobalMaxPooling1D()",
    "MaxPooling1D": "layers.MaxPooling1D()", "RepeatVector": "layers.RepeatVector(2)", "Permute": "layers.Permute((1,))",
    "Rescaling": "layers.Rescaling(1.0)", "UnitNormalization": "layers.UnitNormalization()",
    "GroupNormalization": "layers.GroupNormalization(1)", "Identity": "layers.Identity()",
    "ZeroPadding1D": "layers.ZeroPadding1D()", "Cropping1D": "layers.Cropping1D()",
}


@pytest.mark.keras
def test_supports_masking_is_keras():
    import shapewise.keras as sk

    keras = real_keras()
    ours, theirs = {}, {}
    for name, source in SUPPORTS.items():
        theirs[name] = bool(eval(source, {"layers": keras.layers}).supports_masking)  # our own table
        ours[name] = bool(eval(source, {"layers": sk.layers}).supports_masking)
    assert ours == theirs
    assert any(theirs.values()) and not all(theirs.values())


@pytest.mark.keras
def test_keras_lists_the_mask_ops():
    """The premise of the comparisons above: Keras's summary of a masked functional model has op rows."""
    models, _ = run_keras_source(SNIPPETS["embedding_mask_zero_lstm_functional"])
    assert models[0]["summary"][2] == "not_equal"


@pytest.mark.keras
def test_operation_class_names_are_keras():
    """Every op of shapewise's keras.ops table that real Keras records as an Operation on a KerasTensor: the
    summary row's type (its Keras class) and name (the class, snake-cased and numbered) are Keras's."""
    from shapewise.engine import to_snake_case
    from shapewise.interpreter.tensor_ops import _class_name
    from shapewise.ops.keras_ops import KERAS_OPS

    keras = real_keras()
    keras.backend.clear_session()
    x = keras.Input((3, 4))
    checked = {}
    for name in sorted(KERAS_OPS):
        fn = keras.ops
        try:
            for part in name.split("."):
                fn = getattr(fn, part)
        except AttributeError:
            continue  # an op of shapewise's table under a name real keras.ops does not export
        for args in ((x,), (x, x), (x, 1)):
            try:
                out = fn(*args)
            except Exception:  # noqa: BLE001 - these arguments do not fit the op; try the next ones
                continue
            first = out[0] if isinstance(out, (list, tuple)) and out else out
            history = getattr(first, "_keras_history", None)
            if history is not None:
                op = history.operation
                checked[name] = (type(op).__name__, op.name.rsplit("_", 1)[0] if op.name[-1].isdigit() else op.name)
            break
    assert len(checked) > 300  # the table's ops, nearly all
    ours = {name: (_class_name(name), to_snake_case(_class_name(name))) for name in checked}
    theirs = {name: (cls, base if base == to_snake_case(cls) else f"{base} (named)") for name, (cls, base)
              in checked.items()}
    assert ours == theirs

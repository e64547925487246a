"""keras.datasets: the shapes and dtypes shapewise knows, checked against the installed Keras source; tutorial code
that loads a dataset and builds its model from the arrays' shapes, compared with real Keras run on arrays of those
shapes; data from files stays a named unknown with a clear message where a number is needed."""

import inspect
import re

import numpy as np
import pytest
from oracle import assert_same, describe_keras, describe_report, Outcome, real_keras

from shapewise.interpreter import interpret
from shapewise.keras import datasets


def _source(name):
    keras = real_keras()
    return inspect.getsource(getattr(keras.datasets, name).load_data)


IMAGE_SETS = ["mnist", "fashion_mnist", "cifar10", "cifar100"]


@pytest.mark.keras
@pytest.mark.parametrize("name", IMAGE_SETS)
def test_image_datasets_match_the_shapes_keras_documents(name):
    """The shapes asserted in Keras's docstring example, and the dtypes it documents."""
    src = _source(name)
    asserted = dict(re.findall(r"assert (\w+)\.shape == (\([\d, ]+\))", src))
    dtypes = dict(re.findall(r"\*\*`(\w+)`\*\*: `(\w+)` NumPy array", src))
    (x_train, y_train), (x_test, y_test) = datasets.load_data(name)
    got = {"x_train": x_train, "y_train": y_train, "x_test": x_test, "y_test": y_test}
    assert set(asserted) == set(got)
    for key, array in got.items():
        assert array.shape == eval(asserted[key]), key  # a tuple literal from Keras's own docstring
        assert array.dtype == dtypes[key], key


def _fake_keras_loader(monkeypatch, name, arrays):
    """Run Keras's own load_data code (its split and reshapes) on stand-in arrays of the dataset's full size."""
    from keras.src.datasets import boston_housing, california_housing, reuters

    module = {"boston_housing": boston_housing, "california_housing": california_housing, "reuters": reuters}[name]
    monkeypatch.setattr(module, "get_file", lambda *a, **k: "/nonexistent.npz")

    class Loaded(dict):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(module.np, "load", lambda *a, **k: Loaded(arrays))
    if hasattr(module, "npz_utils"):
        monkeypatch.setattr(module.npz_utils, "load_npz", lambda *a, **k: Loaded(arrays))
    return module


@pytest.mark.keras
@pytest.mark.parametrize("kwargs", [{}, {"test_split": 0.3}, {"test_split": 0.0}], ids=["default", "0.3", "0.0"])
def test_tabular_splits_match_keras(monkeypatch, kwargs):
    """boston_housing (506 samples of 13 attributes) and california_housing (20,640 or 600 samples of 8 features,
    as its docstring says): Keras's own split code, run on arrays of those sizes, gives shapewise's shapes."""
    src = _source("california_housing")
    assert "20,640 samples" in src and "600 samples" in src and "(num_samples, 8)" in src
    assert "(num_samples, 13)" in _source("boston_housing")
    cases = [("boston_housing", {}, 506, 13), ("california_housing", {"version": "large"}, 20640, 8),
             ("california_housing", {"version": "small"}, 600, 8)]
    for name, extra, total, features in cases:
        size = total if name != "california_housing" or extra["version"] == "small" else 20640
        module = _fake_keras_loader(monkeypatch, name, {"x": np.zeros((20640 if name == "california_housing"
                                                                         else total, features)),
                                                         "y": np.zeros((20640 if name == "california_housing"
                                                                        else total,))})
        (kx, ky), (tx, ty) = module.load_data(**extra, **kwargs)
        (sx, sy), (stx, sty) = datasets.load_data(name, **extra, **kwargs)
        assert (sx.shape, sy.shape, stx.shape, sty.shape) == (kx.shape, ky.shape, tx.shape, ty.shape), (name, size)


@pytest.mark.keras
def test_sequence_datasets_match_keras(monkeypatch):
    """imdb: 25,000 + 25,000 reviews; reuters: 11,228 newswires split by test_split (Keras's own code run on
    stand-in sequences of that count); both ragged (object arrays) with int64 labels."""
    assert "25,000 movies reviews" in _source("imdb")
    assert "11,228 newswires" in _source("reuters")
    module = _fake_keras_loader(monkeypatch, "reuters", {"x": _ragged(11228), "y": np.zeros(11228, "int64")})
    for split in (0.2, 0.5):
        (kx, ky), (tx, ty) = module.load_data(test_split=split)
        (sx, sy), (stx, sty) = datasets.load_data("reuters", test_split=split)
        assert (sx.shape, sy.shape, stx.shape, sty.shape) == (kx.shape, ky.shape, tx.shape, ty.shape)
        assert sx.dtype == str(kx.dtype) == "object" and sy.dtype == str(ky.dtype)
    (x, y), (xt, yt) = datasets.load_data("imdb")
    assert (x.shape, y.shape, xt.shape, yt.shape) == ((25000,), (25000,), (25000,), (25000,))
    (x, _), _ = datasets.load_data("imdb", maxlen=100)
    assert x.shape == (None,)  # reviews longer than maxlen are dropped: how many is data


def _ragged(n):
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = [1, 2, 3][: 1 + i % 3]  # ragged: sequences of different lengths
    return out


# --------------------------------------------------------------------------------------------------------------
# Tutorial code: shapewise interprets it; real Keras runs it on arrays of the documented shapes


def _labels(shape, dtype, classes):
    """Labels of every class (0, 1, ..., classes - 1, 0, ...), as the real splits hold every class."""
    return (np.arange(int(np.prod(shape))) % classes).astype(dtype).reshape(shape)


def _keras_arrays(name):
    """Arrays of the shapes Keras documents (parsed from its source, not from shapewise): zero images, labels of
    every class (the number of classes from the dataset's documentation: ``cifar100:20`` is label_mode="coarse")."""
    name, _, classes = name.partition(":")
    if name in IMAGE_SETS:
        src = _source(name)
        asserted = {k: eval(v) for k, v in re.findall(r"assert (\w+)\.shape == (\([\d, ]+\))", src)}
        classes = int(classes or (100 if name == "cifar100" else 10))
        a = {k: (_labels(v, "uint8", classes) if k.startswith("y") else np.zeros(v, "uint8"))
             for k, v in asserted.items()}
        return (a["x_train"], a["y_train"]), (a["x_test"], a["y_test"])
    if name in ("imdb", "reuters"):
        classes = 2 if name == "imdb" else 46
        n_train, n_test = (25000, 25000) if name == "imdb" else (8982, 2246)
        return ((_ragged(n_train), _labels((n_train,), "int64", classes)),
                (_ragged(n_test), _labels((n_test,), "int64", classes)))
    if name == "boston_housing":
        return (np.zeros((404, 13)), np.zeros(404)), (np.zeros((102, 13)), np.zeros(102))
    raise KeyError(name)


TUTORIALS = {
    "cifar100_coarse_unique_classes": ("cifar100:20", """
import numpy as np
import keras
from keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.cifar100.load_data(label_mode="coarse")
num_classes = len(np.unique(y_train))
x_train = x_train.astype("float32") / 255.0
y_train = keras.utils.to_categorical(y_train)
model = keras.Sequential([keras.Input(shape=x_train.shape[1:]), layers.Conv2D(8, 3), layers.Flatten(),
                          layers.Dense(num_classes), layers.Dense(y_train.shape[-1], activation="softmax")])
"""),
    "imdb_pad_sequences": ("imdb", """
import keras
from keras import layers

max_features, maxlen = 20000, 200
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
inputs = keras.Input(shape=(x_train.shape[1],), dtype="int32")
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64))(x)
model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
"""),
    "reuters_to_categorical_counts_classes": ("reuters", """
import keras
from keras import layers
from keras.datasets import reuters

(train_data, train_labels), (test_data, test_labels) = reuters.load_data(num_words=10000)
train_labels = keras.utils.to_categorical(train_labels)
x = keras.utils.pad_sequences(train_data, maxlen=100)
model = keras.Sequential([keras.Input((x.shape[1],)), layers.Embedding(10000, 8), layers.Flatten(),
                          layers.Dense(train_labels.shape[1], activation="softmax")])
"""),
    "mnist_convnet": ("mnist", """
import numpy as np
import keras
from keras import layers

num_classes = 10
input_shape = (28, 28, 1)
(x_train, y_train), (x_test, y_test) = keras.datasets.mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
x_train = np.expand_dims(x_train, -1)
x_test = np.expand_dims(x_test, -1)
print("x_train shape:", x_train.shape)
print(x_train.shape[0], "train samples")
y_train = keras.utils.to_categorical(y_train, num_classes)
model = keras.Sequential([
    keras.Input(shape=x_train.shape[1:]),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(y_train.shape[1], activation="softmax"),
])
model.summary()
"""),
    "fashion_mnist_reshape": ("fashion_mnist", """
import tensorflow as tf
from tensorflow import keras
fashion_mnist = keras.datasets.fashion_mnist
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
class_names = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag',
               'Ankle boot']
train_images = train_images / 255.0
train_images = train_images.reshape(-1, 28, 28, 1)
height, width = train_images.shape[1], train_images.shape[2]
model = keras.Sequential([
    keras.layers.Conv2D(16, 3, activation='relu', input_shape=(height, width, train_images.shape[-1])),
    keras.layers.Flatten(),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(len(class_names))
])
model.summary()
"""),
    "mnist_mlp_flat": ("mnist", """
from keras.datasets import mnist
from keras.models import Sequential
from keras.layers import Dense, Input
from keras.utils import to_categorical
(X_train, y_train), (X_test, y_test) = mnist.load_data()
num_pixels = X_train.shape[1] * X_train.shape[2]
X_train = X_train.reshape((X_train.shape[0], num_pixels)).astype('float32')
y_train = to_categorical(y_train)  # counts the classes in the data: a named unknown
num_classes = 10
model = Sequential([Input((num_pixels,)), Dense(num_pixels, activation='relu'), Dense(num_classes)])
model.summary()
"""),
    "cifar10_augmented": ("cifar10", """
import keras
from keras import layers
(x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
num_classes = 10
inputs = keras.Input(shape=x_train.shape[1:])
x = layers.RandomFlip("horizontal")(inputs)
x = layers.RandomRotation(0.1)(x)
x = layers.Rescaling(1.0 / 255)(x)
x = layers.Conv2D(32, 3, activation="relu")(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(num_classes, activation="softmax")(x)
model = keras.Model(inputs, outputs)
print(y_train.shape, len(x_test))
"""),
    "imdb_embedding": ("imdb", """
import keras
from keras import layers
max_features = 20000
maxlen = 200
(x_train, y_train), (x_val, y_val) = keras.datasets.imdb.load_data(num_words=max_features)
print(len(x_train), "Training sequences")
x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
"""),
    "boston_regression": ("boston_housing", """
from tensorflow.keras.datasets import boston_housing
from tensorflow.keras import models, layers
(train_data, train_targets), (test_data, test_targets) = boston_housing.load_data()
mean = train_data.mean(axis=0) if False else 0
train_data = train_data - mean
model = models.Sequential()
model.add(layers.Dense(64, activation='relu', input_shape=(train_data.shape[1],)))
model.add(layers.Dense(64, activation='relu'))
model.add(layers.Dense(1))
model.compile(optimizer='rmsprop', loss='mse', metrics=['mae'])
"""),
}


def _run_real_keras(name, source, monkeypatch):
    keras = real_keras()
    arrays = _keras_arrays(name)
    monkeypatch.setattr(getattr(keras.datasets, name.partition(":")[0]), "load_data", lambda *a, **k: arrays)
    keras.backend.clear_session()
    # the snippet says `import tensorflow` / `from tensorflow import keras`: give it real Keras under that name
    tf = type("tf", (), {"keras": keras})
    namespace = {"__name__": "__tutorial__"}
    code = source.replace("import tensorflow as tf\n", "").replace("from tensorflow import keras", "import keras")
    code = code.replace("from tensorflow.keras", "from keras")
    exec(compile(code, "<tutorial>", "exec"), namespace)  # our own test source
    del tf
    return namespace["model"]


@pytest.mark.keras
@pytest.mark.parametrize("case", TUTORIALS.values(), ids=TUTORIALS.keys())
def test_tutorials_match_keras(case, monkeypatch, capsys):
    name, source = case
    result = interpret(source)
    assert result.error is None, result.error
    assert result.models, "no model reported"
    model = _run_real_keras(name, source, monkeypatch)
    assert_same(source, Outcome([describe_keras(model)]), Outcome([describe_report(result.models[-1].to_json())]))


def test_printed_shapes_are_numpy_s():
    result = interpret(TUTORIALS["mnist_convnet"][1])
    assert result.printed[:2] == ["x_train shape: (60000, 28, 28, 1)", "60000 train samples"]
    result = interpret(TUTORIALS["cifar10_augmented"][1])
    assert result.printed == ["(50000, 1) 10000"]


# --------------------------------------------------------------------------------------------------------------
# Data from files: a named unknown, a clear message where a number is needed

FROM_FILES = {
    "read_csv_input_shape": ("""
import pandas as pd
import keras
df = pd.read_csv("data.csv")
X = df.drop("y", axis=1).values
model = keras.Sequential([keras.Input(shape=X.shape[1:]), keras.layers.Dense(1)])
""", 6, ["X.shape[1:]", "data the snippet does not have"]),
    "np_load_unpacked": ("""
import numpy as np
import keras
x = np.load("x.npy")
h, w, c = x.shape[1:]
model = keras.Sequential([keras.Input((h, w, c)), keras.layers.Conv2D(4, 3)])
""", 6, ["channel axis", "x.shape[1:][2]"]),
    "image_dataset_loop": ("""
import keras
train_ds = keras.utils.image_dataset_from_directory("images/", image_size=(180, 180))
class_names = train_ds.class_names
for images, labels in train_ds.take(1):
    print(images.shape)
model = keras.Sequential([keras.Input((180, 180, 3)), keras.layers.Flatten(), keras.layers.Dense(len(class_names))])
model.summary()
""", 7, ["`units` must be a concrete number", "len(class_names)"]),
}


@pytest.mark.parametrize("case", FROM_FILES.values(), ids=FROM_FILES.keys())
def test_data_from_files_stays_a_named_unknown(case):
    source, line, words = case
    result = interpret(source)
    text = str(result.error) if result.error else ""
    for internal in ("Unknown", "Opaque", "Dim(", "object is not", "NoneType"):
        assert internal not in text, text
    assert result.error is not None and result.error.line == line, (result.error, line)
    for word in words:
        assert word in text, text

"""``keras.datasets``: the shapes and dtypes of the arrays each ``load_data()`` returns, as data (nothing downloaded).

Every number comes from the installed Keras 3.15.1's ``keras/src/datasets/*.py`` (their docstrings and the code
that splits the data): mnist and fashion_mnist are 60,000 + 10,000 grayscale 28×28 images (uint8) with uint8
labels; cifar10/cifar100 50,000 + 10,000 32×32×3 images (uint8) with labels of shape (n, 1); imdb 25,000 + 25,000
reviews and reuters 11,228 newswires (split by ``test_split``) as object arrays of word-index lists (ragged: the
length of each sequence is data) with int64 labels; boston_housing 506 samples of 13 features and
california_housing 20,640 (or 600, ``version="small"``) of 8 features, split by ``test_split``.

:class:`Array` is the value a snippet gets: a NumPy array known by its shape and dtype only, with the NumPy
arithmetic of shapes and dtypes tutorials use (``.shape``, ``.reshape(-1, 28, 28, 1)``, ``/ 255.0``,
``.astype("float32")``, ``np.expand_dims``, slicing, ``len``) and :func:`to_categorical`. Framework-free.
"""

from __future__ import annotations

import math

__all__ = ["Array", "DATASETS", "load_data", "to_categorical", "expand_dims", "concatenate", "unique",
           "pad_sequences"]


class ArrayError(ValueError):
    """What NumPy (or Keras) would raise for these shapes; the interpreter adds the line."""


_FLOATS = ("float16", "float32", "float64")
_INTS = ("bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64")
DTYPES = _FLOATS + _INTS + ("bfloat16", "object")


def _dtype(name):
    if name is float:
        return "float64"
    if name is int:
        return "int64"
    if name is bool:
        return "bool"
    text = str(name).removeprefix("np.").removeprefix("numpy.")
    if text == "float":
        return "float64"
    if text == "int":
        return "int64"
    if text not in DTYPES:
        raise ArrayError(f"data type {name!r} not understood")
    return text


class Array:
    """A NumPy array without values: ``shape`` (ints, or None for a size that is data, like a ragged length) and
    ``dtype`` (a NumPy dtype name, or None when the dataset does not document it); ``desc`` says where it came
    from (``mnist x_train``)."""

    __slots__ = ("shape", "dtype", "desc", "classes")

    def __init__(self, shape, dtype, desc="", classes=None):
        self.shape = tuple(shape)
        self.dtype = dtype
        self.desc = desc
        #: a label array's number of classes, as the dataset documents it (every class occurs in each split)
        self.classes = classes

    # --- attributes ----------------------------------------------------------------------------------------
    @property
    def ndim(self):
        return len(self.shape)

    @property
    def size(self):
        return None if None in self.shape else math.prod(self.shape)

    def __len__(self):
        if not self.shape:
            raise ArrayError("len() of unsized object")
        if self.shape[0] is None:
            raise ArrayError(f"the length of {self.desc or 'this array'} is not known without the data")
        return self.shape[0]

    def __repr__(self):
        return f"<array shape={self.shape} dtype={self.dtype or 'unknown'}>"

    def _new(self, shape, dtype=None, how="", keep_classes=True):
        # the same values (a cast, a reshape): a label array keeps its classes; not so for a slice
        return Array(shape, self.dtype if dtype is None else dtype, f"{self.desc}{how}",
                     self.classes if keep_classes else None)

    # --- methods -------------------------------------------------------------------------------------------
    def astype(self, dtype):
        return self._new(self.shape, _dtype(dtype), f".astype({_dtype(dtype)})")

    def reshape(self, *shape):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        if any(isinstance(d, bool) or not isinstance(d, int) or d < -1 for d in shape):
            raise ArrayError(f"reshape takes integer sizes (one of them may be -1); got {shape}")
        if sum(1 for d in shape if d == -1) > 1:
            raise ArrayError("can only specify one unknown dimension")
        size = self.size
        known = math.prod(d for d in shape if d != -1)
        if -1 in shape:
            if size is None:
                out = tuple(None if d == -1 else d for d in shape)
            elif known == 0 or size % known:
                raise ArrayError(f"cannot reshape array of size {size} into shape {shape}")
            else:
                out = tuple(size // known if d == -1 else d for d in shape)
        else:
            if size is not None and size != known:
                raise ArrayError(f"cannot reshape array of size {size} into shape {shape}")
            out = shape
        return self._new(out, how=f".reshape{shape}")

    def flatten(self):
        return self._new((self.size,), how=".flatten()")

    ravel = flatten

    def transpose(self, *axes):
        if not axes:
            return self._new(self.shape[::-1], how=".T")
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        if sorted(a % self.ndim for a in axes) != list(range(self.ndim)):
            raise ArrayError("axes don't match array")
        return self._new(tuple(self.shape[a] for a in axes), how=f".transpose{axes}")

    @property
    def T(self):  # noqa: N802 - NumPy's name
        return self.transpose()

    def squeeze(self, axis=None):
        if axis is None:
            if None in self.shape:
                raise ArrayError("squeeze() of an array whose sizes are not all known needs axis=")
            return self._new(tuple(d for d in self.shape if d != 1), how=".squeeze()")
        axes = {a % self.ndim for a in (axis if isinstance(axis, (tuple, list)) else (axis,))}
        for a in axes:
            if self.shape[a] not in (1, None):
                raise ArrayError("cannot select an axis to squeeze out which has size not equal to one")
        return self._new(tuple(d for i, d in enumerate(self.shape) if i not in axes), how=".squeeze()")

    # --- indexing ------------------------------------------------------------------------------------------
    def __getitem__(self, index):
        items = index if isinstance(index, tuple) else (index,)
        if sum(1 for i in items if i is Ellipsis) > 1:
            raise ArrayError("an index can only have a single ellipsis ('...')")
        used = sum(1 for i in items if i is not None and i is not Ellipsis)
        if used > self.ndim:
            raise ArrayError(f"too many indices for array: array is {self.ndim}-dimensional, but {used} were "
                             f"indexed")
        out = []
        axis = 0
        for item in items:
            if item is None:
                out.append(1)
            elif item is Ellipsis:
                n = self.ndim - used
                out.extend(self.shape[axis:axis + n])
                axis += n
            elif isinstance(item, slice):
                n = self.shape[axis]
                out.append(None if n is None else len(range(*item.indices(n))))
                axis += 1
            elif isinstance(item, int) and not isinstance(item, bool):
                n = self.shape[axis]
                if n is not None and not -n <= item < n:
                    raise ArrayError(f"index {item} is out of bounds for axis {axis} with size {n}")
                axis += 1
            else:
                raise ArrayError("only integers, slices (`:`), ellipsis (`...`) and None are valid indices here")
        out.extend(self.shape[axis:])
        return self._new(tuple(out), how="[...]", keep_classes=False)

    # --- arithmetic ----------------------------------------------------------------------------------------
    def binary(self, op, other, reflected=False):
        """``self op other`` (``other op self`` when reflected) for op in + - * / // % **: NumPy's broadcasting
        and its result dtype (NEP 50: a Python number keeps a float array's dtype; an int array divided, or
        mixed with a Python float, becomes float64)."""
        if isinstance(other, Array):
            shape = broadcast(self.shape, other.shape)
            dtype = _promote(self.dtype, other.dtype)
        elif isinstance(other, bool) or isinstance(other, (int, float)):
            shape = self.shape
            dtype = self.dtype
            if dtype in _INTS and isinstance(other, float) and not isinstance(other, bool):
                dtype = "float64"
        else:
            raise ArrayError(f"unsupported operand for an array: {type(other).__name__}")
        if op == "/" and dtype in _INTS:
            dtype = "float64"
        return Array(shape, dtype, self.desc)


def _promote(a, b):
    if a is None or b is None:
        return None
    if a == b:
        return a
    if a in _FLOATS and b in _FLOATS:
        return max(a, b, key=_FLOATS.index)
    if a in _FLOATS or b in _FLOATS:
        f = a if a in _FLOATS else b
        i = next((x for x in (a, b) if x in _INTS), None)
        if i is None:  # (bfloat16, object: not promoted here)
            return None
        if f == "float16":
            return "float16" if _INTS.index(i) <= 2 else "float32" if _INTS.index(i) <= 4 else "float64"
        return "float64" if f == "float64" or _INTS.index(i) >= 5 else f
    return max(a, b, key=_INTS.index)


def broadcast(a, b):
    out = []
    for x, y in zip(((1,) * (len(b) - len(a)) + a), ((1,) * (len(a) - len(b)) + b)):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y:
            out.append(x)
        elif x is None or y is None:
            out.append(x if y is None else y)
        else:
            raise ArrayError(f"operands could not be broadcast together with shapes {a} {b}")
    return tuple(out)


def expand_dims(array, axis):
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    ndim = array.ndim + len(axes)
    positions = sorted(a % ndim if -ndim <= a < ndim else _axis_error(a, ndim) for a in axes)
    shape = list(array.shape)
    for p in positions:
        shape.insert(p, 1)
    return array._new(tuple(shape), how=f" (expand_dims axis={axis})")


def _axis_error(axis, ndim):
    raise ArrayError(f"axis {axis} is out of bounds for array of dimension {ndim}")


def concatenate(arrays, axis=0):
    arrays = list(arrays)
    if not arrays:
        raise ArrayError("need at least one array to concatenate")
    first = arrays[0]
    axis = axis % first.ndim
    total = 0
    for a in arrays:
        if a.ndim != first.ndim or any(x != y for i, (x, y) in enumerate(zip(a.shape, first.shape)) if i != axis):
            raise ArrayError("all the input array dimensions except for the concatenation axis must match exactly")
        total = None if total is None or a.shape[axis] is None else total + a.shape[axis]
    shape = list(first.shape)
    shape[axis] = total
    dtype = first.dtype
    for a in arrays[1:]:
        dtype = _promote(dtype, a.dtype)
    return Array(tuple(shape), dtype, first.desc)


def to_categorical(x, num_classes=None):
    """keras.utils.to_categorical: a trailing axis of 1 is dropped, then one axis of num_classes (float64). Without
    num_classes Keras counts the classes in the data (max(y) + 1): a dataset's labels say how many there are, other
    data leaves that size None."""
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    return Array((*shape, num_classes or x.classes or None), "float64", f"to_categorical({x.desc})")


def unique(x):
    """np.unique(y) of a dataset's labels: one entry per class (sorted), as every class occurs in each split."""
    if x.classes is None:
        raise ArrayError(f"the distinct values of {x.desc or 'this array'} are data shapewise does not have")
    return Array((x.classes,), x.dtype, f"np.unique({x.desc})")


def pad_sequences(sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0):
    """keras.utils.pad_sequences: (number of sequences, maxlen); without maxlen the longest sequence's length,
    which is data."""
    if not sequences.shape:
        raise ArrayError("`sequences` must be a list of sequences (an array of at least one axis)")
    if maxlen is not None and (isinstance(maxlen, bool) or not isinstance(maxlen, int) or maxlen < 0):
        raise ArrayError(f"maxlen must be a non-negative integer. Received: maxlen={maxlen!r}")
    for name, arg in (("padding", padding), ("truncating", truncating)):
        if arg not in ("pre", "post"):
            raise ArrayError(f'{name} type "{arg}" not understood')
    return Array((sequences.shape[0], maxlen), _dtype(dtype), f"pad_sequences({sequences.desc})")


# --------------------------------------------------------------------------------------------------------------
# The datasets


def _split(total, test_split, name):
    if not 0 <= test_split < 1:
        raise ArrayError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1.")
    train = int(total * (1 - test_split))
    return train, total - train


def _images(name, train, test, image, label_shape=(), classes=10):
    def load():
        return ((Array((train, *image), "uint8", f"{name} x_train"), Array((train, *label_shape), "uint8",
                                                                           f"{name} y_train", classes)),
                (Array((test, *image), "uint8", f"{name} x_test"), Array((test, *label_shape), "uint8",
                                                                         f"{name} y_test", classes)))

    return load


def _mnist(path="mnist.npz"):
    return _images("mnist", 60000, 10000, (28, 28))()


def _fashion_mnist():
    return _images("fashion_mnist", 60000, 10000, (28, 28))()


def _cifar10():
    return _images("cifar10", 50000, 10000, (32, 32, 3), (1,))()


def _cifar100(label_mode="fine"):
    if label_mode not in ["fine", "coarse"]:
        raise ArrayError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    return _images("cifar100", 50000, 10000, (32, 32, 3), (1,), 100 if label_mode == "fine" else 20)()


def _sequences(name, train, test):
    # object arrays of lists of word indices: one entry per sample, each of its own (data) length; imdb's labels
    # are 2 sentiments, reuters' 46 topics
    classes = 2 if name == "imdb" else 46
    return ((Array((train,), "object", f"{name} x_train"), Array((train,), "int64", f"{name} y_train", classes)),
            (Array((test,), "object", f"{name} x_test"), Array((test,), "int64", f"{name} y_test", classes)))


def _imdb(path="imdb.npz", num_words=None, skip_top=0, maxlen=None, seed=113, start_char=1, oov_char=2,
          index_from=3, **kwargs):
    if kwargs:
        raise ArrayError(f"Unrecognized keyword arguments: {kwargs}.")
    if maxlen:  # reviews longer than maxlen are dropped: how many is data
        return _sequences("imdb", None, None)
    return _sequences("imdb", 25000, 25000)


def _reuters(path="reuters.npz", num_words=None, skip_top=0, maxlen=None, test_split=0.2, seed=113, start_char=1,
             oov_char=2, index_from=3):
    if maxlen:
        return _sequences("reuters", None, None)
    return _sequences("reuters", *_split(11228, test_split, "reuters"))


def _tabular(name, total, features, test_split, dtype):
    train, test = _split(total, test_split, name)
    return ((Array((train, features), dtype, f"{name} x_train"), Array((train,), dtype, f"{name} y_train")),
            (Array((test, features), dtype, f"{name} x_test"), Array((test,), dtype, f"{name} y_test")))


def _boston_housing(path="boston_housing.npz", test_split=0.2, seed=113):
    return _tabular("boston_housing", 506, 13, test_split, "float64")


def _california_housing(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    if version not in ("small", "large"):
        raise ArrayError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    return _tabular("california_housing", 600 if version == "small" else 20640, 8, test_split, None)


#: dataset name -> its load_data (same arguments and defaults as Keras's)
DATASETS = {
    "mnist": _mnist, "fashion_mnist": _fashion_mnist, "cifar10": _cifar10, "cifar100": _cifar100,
    "imdb": _imdb, "reuters": _reuters, "boston_housing": _boston_housing,
    "california_housing": _california_housing,
}


def load_data(name, *args, **kwargs):
    """``keras.datasets.<name>.load_data(...)``: ((x_train, y_train), (x_test, y_test)) as Arrays."""
    return DATASETS[name](*args, **kwargs)

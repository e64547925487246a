"""Preprocessing and augmentation layers: images, categories, text, audio.

None of them learns anything (the one exception, STFTSpectrogram, keeps its Fourier basis as weights): they move,
resample or re-encode values. Most image augmentations (RandomFlip, RandomRotation, RandomZoom, ...) change values
only while training and keep the shape; the output is cast to the layer's dtype (float32), whatever came in.
Resizing, CenterCrop and RandomCrop set the height and width to the configured size. The encoding layers
(CategoryEncoding, Discretization, Hashing, the lookups, TextVectorization) turn each value into an index, or the
last axis into a vector of ``depth`` counts: ``depth`` is the number of tokens, bins or the vocabulary size
(vocabulary + OOV indices + the mask, when given as a list). Each rule computes the shape exactly as the layer's
``compute_output_shape`` in Keras 3.15.1 does, including its reading of inputs that are not images (an input of
rank 3 is taken as one unbatched image).
"""

from __future__ import annotations

import math

from ..compute import no_compute, scaled
from ..dims import Known, Named, Unknown, product
from ..engine import Layer, Spec, register
from ..errors import ArgumentError
from .conv import conv_output_dims, standardize_data_format

_FILL_MODES = ("reflect", "wrap", "constant", "nearest")
_ELASTIC_FILL_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")
_INTERPOLATIONS = ("nearest", "bilinear")
_NO_WEIGHTS = "no units and no weights: a fixed transformation of the values, nothing is learned"
_RANDOM = ("no units and no weights: the transformation is drawn at random on every training step (from the "
           "layer's seed), never learned")


def _fail(layer_type, message, expected=None, fix=None):
    raise ArgumentError(message, layer_type=layer_type, expected=expected, fix=fix)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _numeric(v):
    """A number as Keras's isinstance(v, (int, float)) sees it: True and False are numbers too."""
    return isinstance(v, (int, float))


def _received(name, value, needed, fix=None):
    """The clear error of an argument Keras rejects: what it received and what it needed."""
    return {"expected": f"{name}: {needed}", "fix": fix}


def _int_arg(layer_type, name, value, minimum=0, message=None, fix=None):
    """An argument Keras uses as a size (an axis length, a count): an int (True counts as 1), at least
    ``minimum``."""
    if not isinstance(value, int) or value < minimum:
        raise ArgumentError(message or f"`{name}` must be an integer >= {minimum}. Received: {name}={value!r}",
                            layer_type=layer_type, expected=f"{name}: an integer >= {minimum}",
                            fix=fix or f"pass {name} as a whole number, e.g. {name}={max(minimum, 1) * 2}")
    return value


def _compare(layer_type, name, value, compare, needed):
    """Keras's own comparison of an argument with a number (``max_tokens <= 1``): a value that cannot be compared
    (a string, a list) fails there too, with Python's TypeError; shapewise says what was needed."""
    try:
        return compare(value)
    except TypeError:
        raise ArgumentError(f"`{name}` must be {needed}. Received: {name}={value!r}", layer_type=layer_type,
                            expected=f"{name}: {needed}", fix=f"pass {name} as a whole number") from None


def _as_tensor_of(layer_type, name, value, dtype):
    """Keras converts a lookup's mask and OOV tokens to the table's dtype (tf.convert_to_tensor): a string (or a
    list of strings) for a string table, an integer (True counts) for an int64 table; anything else fails."""
    def ok(v):
        if isinstance(v, (list, tuple)):
            return all(ok(i) for i in v)
        return isinstance(v, (str, bytes)) if dtype == "string" else isinstance(v, int)

    if not ok(value):
        needed = "a string" if dtype == "string" else "an integer"
        raise ArgumentError(f"Cannot convert {value!r} to EagerTensor of dtype {dtype}", layer_type=layer_type,
                            expected=f"{name}: {needed} (the table's keys are {dtype})",
                            fix=f"pass {name} as {needed}, e.g. {name}=" + ("''" if dtype == "string" else "0"))


def _call_int(ctx, layer, name, minimum=0):
    """The same check where Keras makes it: when the layer computes its output shape (at its first call)."""
    value = getattr(layer, name)
    if not isinstance(value, int) or value < minimum:
        ctx.fail(f"{type(layer).__name__} cannot make an output shape with {name}={value!r}: Keras fails when the "
                 f"layer is called (\"Cannot convert ... to a shape\")", expected=f"{name}: an integer >= {minimum}",
                 fix=f"pass {name} as a whole number")


def _factor(layer_type, factor, bounds, name="factor", message=None, open_lower=False, each=False):
    """A factor given as a number or as two numbers, within ``bounds``: Keras's _set_factor (base image layer)."""
    lo, hi = bounds
    text = message or (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
                       f"[{lo}, {hi}]. Received: {name}={factor}")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(_numeric(f) for f in factor):
            _fail(layer_type, text)
        if message is not None or each:  # the per-value check of RandomZoom/RandomTranslation/RandomShear/AugMix
            for f in factor:
                _in_range(layer_type, f, bounds, text, open_lower)
        elif factor[0] > hi or factor[1] < lo:
            _fail(layer_type, text)
        return tuple(sorted(factor))
    if not _numeric(factor):
        _fail(layer_type, text)
    _in_range(layer_type, factor, bounds, text, open_lower)
    return (max(-abs(factor), lo), abs(factor))


def _in_range(layer_type, value, bounds, text, open_lower=False):
    lo, hi = bounds
    if value > hi or value < lo or (open_lower and value == lo):
        _fail(layer_type, text)


def _value_range(layer_type, value_range):
    if not isinstance(value_range, (tuple, list)) or len(value_range) != 2:
        _fail(layer_type, "The `value_range` argument should be a list of two numbers. "
                          f"Received: value_range={value_range}")
    return tuple(sorted(value_range))


def _modes(layer_type, what, value, allowed):
    if value not in allowed:
        raise ArgumentError(f"Unknown `{what}` {value}. Expected of one {allowed}.", layer_type=layer_type,
                            expected="one of " + ", ".join(allowed))


def _string_arg(layer_type, arg, value, allowed, allow_none=False, allow_callables=False):
    """keras.src.utils.argument_validation.validate_string_arg."""
    if value is None and allow_none or allow_callables and callable(value) or value in allowed:
        return
    raise ArgumentError(f"Unknown value for `{arg}` argument of {layer_type}. Allowed values are: {allowed}. "
                        f"Received: {arg}={value}", layer_type=layer_type,
                        expected="one of " + ", ".join(map(repr, allowed)))


def _same(ctx, x, note, units=_RANDOM, keep_dtype=False):
    """The shape unchanged (compute_output_shape returns input_shape); the output cast to the layer's dtype."""
    if x.rank:
        ctx.name_axes(x, "batch", ...)
    ctx.note(note)
    ctx.units(units)
    return ctx.spec(x.shape, x.dtype if keep_dtype else None)


# --------------------------------------------------------------------------------------------------------------
# Image augmentations that keep the shape


def _values_compute(self, c):
    """Elementwise work on every value (a cast, a random change while training); FlopCounterMode counts none of
    it (measured in Keras's torch backend, training mode)."""
    c.ops(product(c.out(0)), "the layer's transformation of each value")


def _warp_compute(self, c):
    """An affine warp or a 3×3 filter (rotation, zoom, translation, shear, blur, sharpness): Keras's torch backend
    does 9 multiply-accumulates per output value, which FlopCounterMode counts (measured)."""
    c.macs(scaled(9, c.out(0)), "9 per output value: the 3×3 interpolation/filter")


def _geometric_compute(self, c):
    """An affine warp (rotation, zoom, translation, shear): Keras's torch backend maps every output value from the
    input with map_coordinates, sample by sample, over the image's axes: per value, an int32 index per axis and
    interpolation node (2 nodes bilinear, 1 nearest) and, bilinear, the weight of each of the 8 corners, read by
    the gradient of the input's gathered values; a bool validity per corner with fill_mode='constant'."""
    _warp_compute(self, c)
    n = product(c.out(0))
    bilinear = self.interpolation == "bilinear"
    c.saves((6 if bilinear else 3) * n, "the interpolation indices (int32)", "int32")
    if bilinear:
        c.saves(8 * n, "the interpolation weights of the 8 corners")
    if self.fill_mode == "constant":
        c.saves((8 if bilinear else 1) * n, "which corners fall inside the image", "bool")


def _random_mix_compute(self, c):
    """A random choice of augmentations per call (AugMix, RandAugment, RandomElasticTransform): the work depends
    on the draw; declared as the elementwise pass only."""
    c.ops(product(c.out(0)), "the augmentations drawn for this call (their work varies with the draw)")
    c.note("the work of this layer depends on which augmentations are drawn: not counted")


class _ImageLayer(Layer):
    """Base of Keras's image preprocessing layers (BaseImagePreprocessingLayer)."""

    _note = "the shape is unchanged"
    compute = _values_compute

    def __init__(self, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format, type(self).__name__)

    def infer(self, ctx, x, training=None):
        return _same(ctx, x, self._note + "; the shape is unchanged and the values are cast to " + self.dtype)


_REQUIRED = object()
_VR = ("value_range", (0, 255))


def _image_layer(name, note, params, *, bounds=None, keep_dtype=False, check=None, none_factor=False,
                 check_range=False, each=False):
    """A shape-keeping augmentation whose constructor takes ``params`` ((name, default) pairs, in Keras's order;
    ``_REQUIRED`` for a required one): ``factor`` is checked within ``bounds`` (``None`` taken as 0 where
    ``none_factor``: the layers whose base class alone reads it), ``value_range`` where Keras checks it
    (``check_range``), the others are kept as given."""
    names = [p for p, _ in params]

    def __init__(self, *args, **kwargs):
        layer_type = type(self).__name__
        if len(args) > len(names):
            raise ArgumentError(f"{layer_type}.__init__() takes {len(names) + 1} positional arguments but "
                                f"{len(args) + 1} were given", layer_type=layer_type)
        values = {}
        for (param, default), arg in zip(params, args):
            if param in kwargs:
                raise ArgumentError(f"{layer_type}.__init__() got multiple values for argument '{param}'",
                                    layer_type=layer_type)
            values[param] = arg
        for param, default in params[len(args):]:
            if param in kwargs:
                values[param] = kwargs.pop(param)
            elif default is _REQUIRED:
                raise ArgumentError(f"{layer_type}.__init__() missing 1 required positional argument: '{param}'",
                                    layer_type=layer_type)
            else:
                values[param] = default
        # (a layer without its own data_format, RandomContrast, takes it through **kwargs, as Keras's base does)
        _ImageLayer.__init__(self, data_format=values.pop("data_format", kwargs.pop("data_format", None)), **kwargs)
        if bounds is not None and "factor" in values:
            factor = values["factor"]
            values["factor"] = _factor(layer_type, 0.0 if factor is None and none_factor else factor, bounds,
                                       each=each)
        if "value_range" in values and check_range:
            values["value_range"] = _value_range(layer_type, values["value_range"])
        if check is not None:
            check(layer_type, values)
        self.__dict__.update(values)

    def infer(self, ctx, x, training=None):
        return _same(ctx, x, note + "; the shape is unchanged" + (
            "" if keep_dtype else f" and the values are cast to {self.dtype}"), keep_dtype=keep_dtype)

    cls = type(name, (_ImageLayer,), {"__init__": __init__, "infer": infer, "__module__": __name__,
                                      "__doc__": f"keras.layers.{name}: {note}."})
    if name in ("RandomGaussianBlur", "RandomSharpness"):
        cls.compute = _warp_compute
    elif name in ("AugMix", "RandAugment", "RandomElasticTransform"):
        cls.compute = _random_mix_compute
    return register()(cls)


def _check_interpolation(layer_type, values):
    if values["interpolation"] not in _INTERPOLATIONS:
        _modes(layer_type, "interpolation", values["interpolation"], _INTERPOLATIONS)


def _check_perspective(layer_type, values):
    if not _numeric(values["scale"]) or values["scale"] < 0.0 or values["scale"] > 1.0:
        _fail(layer_type, f"The `scale` argument should be a number in the range [0,1]. Received: "
                          f"scale={values['scale']}")
    _check_interpolation(layer_type, values)


def _check_blur(layer_type, values):
    k = values["kernel_size"]
    odd = f"kernel_size must be an odd number. Received: kernel_size={k}"
    if isinstance(k, (tuple, list)):
        if len(k) != 2:
            _fail(layer_type, f"The `kernel_size` argument should be a number (or a list of two numbers) Received: "
                              f"kernel_size={k}")
        if k[0] % 2 == 0 or k[1] % 2 == 0:
            _fail(layer_type, odd)
    elif not _numeric(k) or k % 2 == 0:
        _fail(layer_type, odd)
    _factor(layer_type, values["sigma"], (0, 1), "sigma")


def _check_elastic(layer_type, values):
    _check_interpolation(layer_type, values)
    if values["fill_mode"] not in _ELASTIC_FILL_MODES:
        _modes(layer_type, "fill_mode", values["fill_mode"], _ELASTIC_FILL_MODES)
    _factor(layer_type, values["scale"], (0, 1), "scale")


def _check_erasing(layer_type, values):
    _factor(layer_type, values["scale"], (0, 1), "scale")


def _check_boxes(layer_type, values):
    for arg in ("max_number", "fill_value"):
        value = values[arg]
        try:
            int(value)  # Keras converts both with int()
        except (TypeError, ValueError):
            _fail(layer_type, f"`{arg}` must be an integer. Received: {arg}={value!r}", f"{arg}: an integer",
                  f"pass {arg} as a whole number")


def _check_jitter(layer_type, values):
    for arg, bounds in (("brightness_factor", (-1, 1)), ("contrast_factor", (0, 1)), ("saturation_factor", (-1, 1)),
                        ("hue_factor", (0, 1))):
        if values[arg] is not None:
            _factor(layer_type, values[arg], bounds)


_S, _D = ("seed", None), ("data_format", None)
_image_layer("RandomBrightness", "during training, a random brightness (a factor of the value range) is added to "
             "every pixel", [("factor", _REQUIRED), _VR, _S], bounds=(-1, 1), none_factor=True, check_range=True)
_image_layer("RandomContrast", "during training, each image's contrast is scaled by a random factor around its "
             "mean", [("factor", _REQUIRED), _VR, _S], bounds=(0, 1))
_image_layer("RandomHue", "during training, each image's hue is shifted by a random amount",
             [("factor", _REQUIRED), _VR, _D, _S], bounds=(0, 1))
_image_layer("RandomSaturation", "during training, each image's saturation is scaled by a random factor",
             [("factor", _REQUIRED), _VR, _D, _S], bounds=(-1, 1), check_range=True)
_image_layer("RandomSharpness", "during training, each image is sharpened or blurred by a random amount",
             [("factor", _REQUIRED), _VR, _D, _S], bounds=(0, 1), check_range=True)
_image_layer("RandomPosterization", "during training, each pixel keeps only a random number of its bits",
             [("factor", _REQUIRED), _VR, _D, _S], bounds=(1, 8), check_range=True)
_image_layer("RandomInvert", "during training, images are inverted (value → max − value) at random",
             [("factor", 1.0), _VR, _S, _D], bounds=(0, 1))
_image_layer("AutoContrast", "each image is stretched so its values fill the value range", [_VR], check_range=True)
_Equalization = _image_layer("Equalization", "each image's histogram is equalized", [_VR, ("bins", 256), _D],
                             keep_dtype=True, check_range=True)


def _equalization_infer(self, ctx, x, training=None):
    # Keras 3.15.1's compute_output_spec returns the input tensor itself, so the layer's output *is* its input
    # and every model built through it is refused ("... is part of a cycle")
    ctx.fail("in Keras 3.15.1, Equalization called on a symbolic tensor returns that same tensor, so a model "
             "built through it has a cycle and Keras refuses it ('... from operation 'equalization' is part of a "
             "cycle')", expected="no Equalization inside a model",
             fix="apply Equalization to the data instead (e.g. dataset.map(layer)), outside the model")


_Equalization.infer = _equalization_infer
_image_layer("ContrastLimitedAdaptiveHistogramEqualization", "each image's histogram is equalized tile by tile "
             "(CLAHE)", [("value_range", (0, 255)), ("clip_limit", 4.0), ("tile_grid_size", (8, 8)), _D])
_image_layer("RandomGaussianBlur", "during training, images are blurred with a random Gaussian kernel",
             [("factor", 1.0), ("kernel_size", 3), ("sigma", 1.0), _VR, _D, _S], bounds=(0, 1), check=_check_blur)
_image_layer("RandomErasing", "during training, a random rectangle of each image is erased",
             [("factor", 1.0), ("scale", (0.02, 0.33)), ("fill_value", None), _VR, _S, _D], bounds=(0, 1),
             check=_check_erasing)
_image_layer("RandomElasticTransform", "during training, images are warped by a random smooth displacement field",
             [("factor", 1.0), ("scale", 1.0), ("interpolation", "bilinear"), ("fill_mode", "reflect"),
              ("fill_value", 0.0), _VR, _S, _D], bounds=(0, 1), check=_check_elastic)
_image_layer("RandomPerspective", "during training, a random perspective transform is applied",
             [("factor", 1.0), ("scale", 1.0), ("interpolation", "bilinear"), ("fill_value", 0.0), _S, _D],
             bounds=(0, 1), check=_check_perspective)
_image_layer("CutMix", "during training, a patch of another image of the batch is pasted in (labels mixed alike)",
             [("factor", 1.0), _S, _D], bounds=(0, 1))
_image_layer("MixUp", "during training, each image is blended with another image of the batch",
             [("alpha", 0.2), _D, _S])
_image_layer("AugMix", "during training, several chains of random augmentations are mixed",
             [_VR, ("num_chains", 3), ("chain_depth", 3), ("factor", 0.3), ("alpha", 1.0), ("all_ops", True),
              ("interpolation", "bilinear"), _S, _D], bounds=(0, 1), check=_check_interpolation, check_range=True,
             each=True)
_image_layer("RandAugment", "during training, a few augmentations picked at random are applied",
             [_VR, ("num_ops", 2), ("factor", 0.5), ("interpolation", "bilinear"), _S, _D], bounds=(0, 1),
             check=_check_interpolation, check_range=True, each=True)
_image_layer("RandomColorJitter", "during training, brightness, contrast, saturation and hue are changed at random",
             [_VR, ("brightness_factor", None), ("contrast_factor", None), ("saturation_factor", None),
              ("hue_factor", None), _S, _D], check=_check_jitter)
_image_layer("MaxNumBoundingBoxes", "the images pass through; only bounding boxes are padded to max_number",
             [("max_number", _REQUIRED), ("fill_value", -1)], check=_check_boxes)


@register()
class Solarization(_ImageLayer):
    def __init__(self, addition_factor=0.0, threshold_factor=0.0, value_range=(0, 255), seed=None, **kwargs):
        super().__init__(**kwargs)
        for name, f in (("addition_factor", addition_factor), ("threshold_factor", threshold_factor)):
            _factor("Solarization", f, (0, 1), name, message="The `factor` argument should be a number (or a list "
                    "of two numbers) in the range [0, 1.0]. ")
        self.value_range = _value_range("Solarization", value_range)

    _note = "pixels above a threshold are inverted (value → max − value)"


@register()
class RandomFlip(_ImageLayer):
    def __init__(self, mode="horizontal_and_vertical", seed=None, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.mode = mode

    @property
    def _note(self):
        return f"during training, images are flipped ({str(self.mode).replace('_', ' ')}) at random"

    def compute(self, c):
        _values_compute(self, c)
        # where(flips, flip(x), x): the gradient reads the per-sample choice (a bool per sample)
        c.saves(c.axes(0)[0] if c.inputs[0].rank == 4 else Known(1), "which samples are flipped", "bool")


@register()
class RandomGrayscale(_ImageLayer):
    def __init__(self, factor=0.5, data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        if not _numeric(factor) or factor < 0 or factor > 1:
            _fail("RandomGrayscale", f"`factor` should be between 0 and 1. Received: factor={factor}",
                  "factor: the probability of turning an image to grayscale, a number in [0, 1]")
        self.factor = factor

    def infer(self, ctx, x, training=None):
        return _same(ctx, x, f"during training, images are turned to grayscale with probability {self.factor} "
                             f"(the channels are kept); the shape and dtype are unchanged", keep_dtype=True)


@register()
class RandomColorDegeneration(_ImageLayer):
    def __init__(self, factor, value_range=(0, 255), data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor("RandomColorDegeneration", factor, (-1, 1))
        self.value_range = _value_range("RandomColorDegeneration", value_range)

    def infer(self, ctx, x, training=None):
        if x.rank not in (3, 4):
            ctx.fail("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                     f"Received: input_shape={x.values()}", expected="(batch, height, width, channels)")
        channels = x.shape[-1 if self.data_format == "channels_last" else -3]
        if channels.value is not None and channels.value != 3:
            ctx.fail(f"Input images must have 3 channels, but received images with {channels.value} channels.",
                     expected="3 (RGB) channels", fix="this layer blends each image with its grayscale version: "
                                                      "give it RGB images")
        return _same(ctx, x, "during training, each image is blended with its grayscale version by a random "
                             "factor; the shape is unchanged")


class _GeometricLayer(_ImageLayer):
    compute = _geometric_compute

    def _check_modes(self, fill_mode, interpolation):
        layer_type = type(self).__name__
        if fill_mode not in _FILL_MODES:
            _modes(layer_type, "fill_mode", fill_mode, _FILL_MODES)
        if interpolation not in _INTERPOLATIONS:
            _modes(layer_type, "interpolation", interpolation, _INTERPOLATIONS)
        self.fill_mode = fill_mode
        self.interpolation = interpolation


@register()
class RandomRotation(_GeometricLayer):
    def __init__(self, factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.factor = _factor("RandomRotation", 0.0 if factor is None else factor, (-1, 1))  # the base's `or 0.0`
        self._check_modes(fill_mode, interpolation)

    @property
    def _note(self):
        lo, hi = self.factor
        return (f"during training, each image is rotated by a random angle between {lo:g} and {hi:g} of a full "
                f"turn (the corners filled by '{self.fill_mode}')")


_ZOOM_MESSAGE = ("The `height_factor` and `width_factor` arguments should be a number (or a list of two numbers) in "
                 "the range (-1.0, 1.0]. ")
_TRANSLATION_MESSAGE = ("The `factor` argument should be a number (or a list of two numbers) in the range "
                        "[-1.0, 1.0]. ")


@register()
class RandomZoom(_GeometricLayer):
    def __init__(self, height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = _factor("RandomZoom", height_factor, (-1, 1), "height_factor", _ZOOM_MESSAGE, True)
        self.width_factor = None if width_factor is None else _factor(
            "RandomZoom", width_factor, (-1, 1), "width_factor", _ZOOM_MESSAGE, True)
        self._check_modes(fill_mode, interpolation)

    _note = "during training, each image is zoomed in or out by a random factor (the output keeps the input's size)"


@register()
class RandomTranslation(_GeometricLayer):
    def __init__(self, height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None,
                 fill_value=0.0, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = _factor("RandomTranslation", height_factor, (-1, 1), "height_factor",
                                     _TRANSLATION_MESSAGE)
        self.width_factor = _factor("RandomTranslation", width_factor, (-1, 1), "width_factor",
                                    _TRANSLATION_MESSAGE)
        self._check_modes(fill_mode, interpolation)

    _note = "during training, each image is shifted by a random fraction of its height and width"


@register()
class RandomShear(_GeometricLayer):
    def __init__(self, x_factor=0.0, y_factor=0.0, interpolation="bilinear", fill_mode="reflect", fill_value=0.0,
                 data_format=None, seed=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        message = "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1]. "
        self.x_factor = _factor("RandomShear", x_factor, (0, 1), "x_factor", message)
        self.y_factor = _factor("RandomShear", y_factor, (0, 1), "y_factor", message)
        self._check_modes(fill_mode, interpolation)

    _note = "during training, each image is sheared by a random amount along x and y"


# --------------------------------------------------------------------------------------------------------------
# Image layers that set the height and width


def _hw_arg(layer_type, value, arg):
    return value


def _set_hw(ctx, layer, x, batched_rank, height_axes, noun):
    """Resizing's and CenterCrop's compute_output_shape: a rank-4 input is a batch (axes 1, 2 — or 2, 3
    channels_first), any other rank one unbatched image (axes 0, 1 — or 1, 2)."""
    for name in ("height", "width"):
        if getattr(layer, name) is not None:  # None: Keras leaves that axis unknown
            _call_int(ctx, layer, name)
    shape = list(x.shape)
    h, w = height_axes(x.rank)
    if min(h, w) < 0 or max(h, w) >= x.rank:
        ctx.fail(f"{type(layer).__name__} sets axes {h} and {w} of its input to (height, width), but the input "
                 f"has rank {x.rank}", expected="(batch, height, width, channels)",
                 fix="give the layer a batch of images (batch, height, width, channels)")
    height = Unknown("height") if layer.height is None else ctx.const(layer.height, "height")
    width = Unknown("width") if layer.width is None else ctx.const(layer.width, "width")
    shape[h] = height
    shape[w] = width
    ctx.name_axes(x, *(f"dim{i}" for i in range(x.rank)))
    if x.rank == batched_rank:
        ctx.note(f"every image is {noun} to height × width = {layer.height} × {layer.width}; the batch and "
                 f"channel axes are kept")
    else:
        ctx.warn(f"Keras reads a rank-{x.rank} input as one unbatched image and sets its axes {h} and {w} to "
                 f"{layer.height} and {layer.width}; a batch of images has rank 4")
    ctx.units(_NO_WEIGHTS)
    return ctx.spec(shape)


def _resize_axes(data_format):
    def axes(rank):
        first = data_format == "channels_first"
        if rank == 4:
            return (2, 3) if first else (1, 2)
        return (1, 2) if first else (0, 1)

    return axes


@register()
class Resizing(_ImageLayer):
    def __init__(self, height, width, interpolation="bilinear", crop_to_aspect_ratio=False,
                 pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, antialias=False,
                 data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = crop_to_aspect_ratio
        self.pad_to_aspect_ratio = pad_to_aspect_ratio

    def infer(self, ctx, x, training=None):
        how = ("resized (cropped to the aspect ratio first)" if self.crop_to_aspect_ratio else
               "resized (padded to the aspect ratio first)" if self.pad_to_aspect_ratio else
               f"resized ({self.interpolation})")
        return _set_hw(ctx, self, x, 4, _resize_axes(self.data_format), how)


@register()
class CenterCrop(_ImageLayer):
    def __init__(self, height, width, data_format=None, **kwargs):
        super().__init__(data_format=data_format, **kwargs)
        self.height = height
        self.width = width

    def infer(self, ctx, x, training=None):
        if x.rank not in (3, 4):
            ctx.fail("`input_shape` must be a non-nested tuple or list of rank-1 with size 3 (unbatched) or 4 "
                     "(batched).", expected="(batch, height, width, channels)")
        return _set_hw(ctx, self, x, 4, _resize_axes(self.data_format),
                       "cropped around its center (resized first where it is smaller)")


@register()
class RandomCrop(_ImageLayer):
    def __init__(self, height, width, seed=None, data_format=None, name=None, **kwargs):
        super().__init__(data_format=data_format, name=name, **kwargs)
        self.height = height
        self.width = width

    def infer(self, ctx, x, training=None):
        # compute_output_shape sets axes -3 and -2 (-2 and -1 channels_first), whatever the rank
        return _set_hw(ctx, self, x, 4, lambda rank: (rank - 2, rank - 1) if self.data_format == "channels_first"
                       else (rank - 3, rank - 2), "cropped at a random place during training (at its center "
                                                  "otherwise)")


# --------------------------------------------------------------------------------------------------------------
# Encodings: an index per value, or the last axis as a vector of depth counts


def _encode(ctx, x, mode, depth, what):
    """The output of the one_hot / multi_hot / count / tf_idf modes (IndexLookup, Hashing, CategoryEncoding)."""
    shape = x.shape
    if mode == "one_hot":
        if x.rank > 1 and shape[-1].value == 1:
            out = (*shape[:-1], depth)
            ctx.note(f"one_hot: the last axis of size 1 is replaced by a vector of {what}, a 1 at the value's index")
        else:
            out = (*shape, depth)
            ctx.note(f"one_hot: every value becomes a vector of {what}, a 1 at its index: a new last axis")
    else:
        out = (*shape[:-1], depth)
        counts = {"multi_hot": "a 1 for every index present", "count": "how many times each index appears",
                  "tf_idf": "each index's count weighted by its inverse document frequency"}[mode]
        ctx.note(f"{mode}: the last axis (one sample's values) becomes a vector of {what}: {counts}")
    return out


@register()
class CategoryEncoding(Layer):
    compute = _values_compute

    def __init__(self, num_tokens=None, output_mode="multi_hot", sparse=False, **kwargs):
        super().__init__(**kwargs)
        if output_mode == "binary":
            output_mode = "multi_hot"
        if output_mode not in ("count", "one_hot", "multi_hot"):
            _fail("CategoryEncoding", f"Unknown arg for output_mode: {output_mode}")
        if num_tokens is None:
            _fail("CategoryEncoding", "num_tokens must be set to use this layer. If the number of tokens is not "
                                      "known beforehand, use the IntegerLookup layer instead.")
        if not _numeric(num_tokens) or num_tokens < 1:
            _fail("CategoryEncoding", f"`num_tokens` must be >= 1. Received: num_tokens={num_tokens}.")
        self.num_tokens = num_tokens
        self.output_mode = output_mode

    def infer(self, ctx, x, count_weights=None):
        _call_int(ctx, self, "num_tokens", 1)
        depth = ctx.const(self.num_tokens, "num_tokens")
        ctx.units(_NO_WEIGHTS)
        if x.rank == 0:
            return ctx.spec((depth,))
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        if self.output_mode == "one_hot" and x.rank == 1:
            ctx.note("one_hot: every value becomes a vector of num_tokens, a 1 at its index")
            return ctx.spec((*x.shape, depth))
        return ctx.spec(_encode(ctx, x, self.output_mode, depth, "num_tokens"))


@register()
class Discretization(Layer):
    compute = _values_compute

    def __init__(self, bin_boundaries=None, num_bins=None, epsilon=0.01, output_mode="int", sparse=False,
                 dtype=None, name=None):
        super().__init__(dtype=dtype, name=name)
        if sparse:
            _fail("Discretization", "`sparse=True` cannot be used with backend torch")
        _string_arg("Discretization", "output_mode", output_mode, ("int", "one_hot", "multi_hot", "count"))
        if num_bins is not None and _compare("Discretization", "num_bins", num_bins, lambda v: v < 0,
                                             "an integer >= 0"):
            _fail("Discretization", f"`num_bins` must be greater than or equal to 0. Received: `num_bins={num_bins}`")
        if num_bins is not None and bin_boundaries is not None:
            _fail("Discretization", f"Both `num_bins` and `bin_boundaries` should not be set. Received: "
                                    f"`num_bins={num_bins}` and `bin_boundaries={bin_boundaries}`")
        if num_bins is None and bin_boundaries is None:
            _fail("Discretization", "You need to set either `num_bins` or `bin_boundaries`.")
        self.bin_boundaries = bin_boundaries
        self.num_bins = num_bins
        self.output_mode = output_mode

    def infer(self, ctx, x):
        ctx.units("no units and no weights: the bin boundaries are given (or set by adapt() on data), not learned")
        if self.output_mode == "int":
            ctx.note("each value is replaced by the index of the bin it falls in (int32); the shape is unchanged")
            return ctx.spec(x.shape, "int32")
        if self.bin_boundaries is not None:
            if not hasattr(self.bin_boundaries, "__len__"):
                ctx.fail(f"Discretization cannot count the bins of bin_boundaries={self.bin_boundaries!r}: Keras "
                         f"fails when the layer is called (len() of it)", expected="bin_boundaries: a list of numbers",
                         fix="e.g. bin_boundaries=[0.0, 1.0, 2.0] (3 boundaries, 4 bins)")
            depth = ctx.const(len(self.bin_boundaries) + 1, "bins")
        else:
            _call_int(ctx, self, "num_bins")
            depth = ctx.const(self.num_bins, "num_bins")
        shape = x.shape
        if self.output_mode == "one_hot":
            ctx.note("one_hot: every value becomes a vector with a 1 at its bin")
            out = (*shape[:-1], depth) if shape and shape[-1].value == 1 and x.rank > 1 else (*shape, depth)
        elif x.rank >= 2:
            ctx.note(f"{self.output_mode}: Keras drops axis 1 and appends one entry per bin")
            out = (shape[0], *shape[2:], depth)
        else:
            out = (depth,)
        return ctx.spec(out)


def _check_hash_output(layer_type, output_mode, allowed):
    _string_arg(layer_type, "output_mode", output_mode, allowed)


@register()
class Hashing(Layer):
    compute = no_compute  # a hash of each value (TensorFlow ops, outside torch)

    def __init__(self, num_bins, mask_value=None, salt=None, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else "float32"
        super().__init__(**kwargs)
        if num_bins is None or _compare("Hashing", "num_bins", num_bins, lambda v: v <= 0, "a positive integer"):
            _fail("Hashing", f"The `num_bins` for `Hashing` cannot be `None` or non-positive values. Received: "
                             f"num_bins={num_bins}.")
        if output_mode == "int" and self.dtype not in ("int32", "int64"):
            _fail("Hashing", f"When `output_mode=\"int\"`, `dtype` should be an integer type, 'int32' or 'in64'. "
                             f"Received: dtype={self.dtype}")
        modes = ("int", "one_hot", "multi_hot", "count")
        if output_mode not in modes:
            _fail("Hashing", f"Invalid value for argument `output_mode`. Expected one of {modes}. Received: "
                             f"output_mode={output_mode}")
        if sparse and output_mode == "int":
            _fail("Hashing", "`sparse` may only be true if `output_mode` is `\"one_hot\"`, `\"multi_hot\"`, or "
                             f"`\"count\"`. Received: sparse={sparse} and output_mode={output_mode}")
        if salt is not None and not (isinstance(salt, (tuple, list)) and len(salt) == 2 or isinstance(salt, int)):
            _fail("Hashing", "The `salt` argument for `Hashing` can only be a tuple of size 2 integers, or a single "
                             f"integer. Received: salt={salt}.")
        self.num_bins = num_bins
        self.output_mode = output_mode

    def infer(self, ctx, x):
        ctx.units("no units and no weights: each value is hashed into one of num_bins buckets")
        if self.output_mode == "int":
            ctx.note(f"each value is hashed to a bucket index in [0, {self.num_bins}); the shape is unchanged")
            return ctx.spec(x.shape)
        _call_int(ctx, self, "num_bins", 1)
        depth = ctx.const(self.num_bins, "num_bins")
        ctx.note(f"{self.output_mode}: the last axis becomes a vector of num_bins bucket counts")
        return ctx.spec((*x.shape[:-1], depth) if x.rank else (depth,))


@register()
class HashedCrossing(Layer):
    compute = no_compute  # a hash of each pair (TensorFlow ops, outside torch)

    def __init__(self, num_bins, output_mode="int", sparse=False, name=None, dtype=None, **kwargs):
        if output_mode == "int" and dtype is None:
            dtype = "int64"
        super().__init__(name=name, dtype=dtype)
        if sparse:
            _fail("HashedCrossing", "`sparse=True` can only be used with the TensorFlow backend.")
        _string_arg("HashedCrossing", "output_mode", output_mode, ("int", "one_hot"))
        self.num_bins = num_bins
        self.output_mode = output_mode

    def infer(self, ctx, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) != 2:
            ctx.fail(f"Expected as input a list/tuple of 2 tensors. Received input_shape={ctx.input_specs}",
                     expected="[feature_a, feature_b]", fix="call the layer on a list of the two features to cross")
        a, b = inputs
        if a.shape[-1].value != b.shape[-1].value:
            ctx.fail("Expected the two input tensors to have identical shapes. Received input_shape="
                     f"{[a.values(), b.values()]}", expected="two features of the same shape")
        ctx.units("no units and no weights: each pair of values is hashed into one of num_bins buckets")
        if self.output_mode == "int":
            ctx.note(f"each pair (a, b) is hashed to a bucket index in [0, {self.num_bins})")
            return ctx.spec(a.shape)
        if self.num_bins is not None:
            _call_int(ctx, self, "num_bins")
        depth = None if self.num_bins is None else ctx.const(self.num_bins, "num_bins")
        ctx.note("one_hot: each crossed value becomes a vector of num_bins")
        if a.shape[-1].value != 1:
            return ctx.spec((*a.shape, depth))
        return ctx.spec((*a.shape[:-1], depth))


# --------------------------------------------------------------------------------------------------------------
# Lookups: a vocabulary of tokens, each mapped to an index


def _numbers(value):
    """What tf.Variable(value, dtype=float32) takes: a number or a (nested) list of numbers."""
    if isinstance(value, (list, tuple)):
        return all(_numbers(v) for v in value)
    return _is_number(value)


def _mode_alias(output_mode):
    return "multi_hot" if output_mode == "binary" else "tf_idf" if output_mode == "tf-idf" else output_mode


class _IndexLookup(Layer):
    _oov_default = None
    compute = no_compute  # a table lookup (a TensorFlow table, outside torch)

    def __init__(self, max_tokens, num_oov_indices, mask_token, oov_token, vocabulary_dtype, vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", sparse=False, pad_to_max_tokens=False,
                 oov_method="floormod", salt=None, name=None, **kwargs):
        layer_type = type(self).__name__
        if max_tokens is not None and _compare(layer_type, "max_tokens", max_tokens, lambda v: v <= 1,
                                               "an integer greater than 1"):
            _fail(layer_type, f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            _fail(layer_type, f"If pad_to_max_tokens is True, must set `max_tokens`. Received: "
                              f"max_tokens={max_tokens}")
        if _compare(layer_type, "num_oov_indices", num_oov_indices, lambda v: v < 0, "an integer >= 0"):
            _fail(layer_type, f"`num_oov_indices` must be greater than or equal to 0. Received: "
                              f"num_oov_indices={num_oov_indices}")
        _string_arg(layer_type, "oov_method", oov_method, ("floormod", "farmhash"))
        if salt is not None:
            if vocabulary_dtype.startswith("int") and oov_method != "farmhash":
                _fail(layer_type, f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                                  f"oov_method={oov_method}")
            if not (isinstance(salt, (tuple, list)) and len(salt) == 2 or isinstance(salt, int)):
                _fail(layer_type, "The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a "
                                  f"single integer. Received: salt={salt}.")
        output_mode = _mode_alias(output_mode)
        _string_arg(layer_type, "output_mode", output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if invert and output_mode != "int":
            _fail(layer_type, f"`output_mode` must be `'int'` when `invert` is true. Received: "
                              f"output_mode={output_mode}")
        if sparse:
            _fail(layer_type, "`sparse=True` can only be used with the TensorFlow backend.")
        if idf_weights is not None and output_mode != "tf_idf":
            _fail(layer_type, f"`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                              f"idf_weights={idf_weights} and output_mode={output_mode}")
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        kwargs.pop("has_input_vocabulary", None)
        kwargs.pop("encoding", None)
        if kwargs:
            _fail(layer_type, f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        if mask_token is not None:
            _as_tensor_of(layer_type, "mask_token", mask_token, vocabulary_dtype)
        if output_mode == "tf_idf":
            if vocabulary is not None and idf_weights is None:
                _fail(layer_type, "When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                                  "`idf_weights` argument must also be provided.",
                      fix="pass idf_weights=[...] with one weight per vocabulary term")
            if idf_weights is not None and not _numbers(idf_weights):
                _fail(layer_type, f"`idf_weights` must be numbers (one per vocabulary term). Received: "
                                  f"idf_weights={idf_weights!r}", expected="idf_weights: a list of numbers")
        if invert:  # the table's default value: the OOV token, in the vocabulary's dtype, one value
            _as_tensor_of(layer_type, "oov_token", oov_token, vocabulary_dtype)
            if isinstance(oov_token, (list, tuple)):
                _fail(layer_type, f"Shapes () and ({len(oov_token)},) are not compatible: with invert=True the OOV "
                                  f"token is the table's default value, one token. Received: oov_token={oov_token!r}",
                      expected="oov_token: one token", fix="e.g. oov_token='[UNK]'")
        self._vocabulary_dtype = vocabulary_dtype
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_size = vocabulary_size
        if vocabulary is not None:
            self.vocabulary_size = self._vocabulary_size(vocabulary, idf_weights)

    def _vocabulary_size(self, vocabulary, idf_weights):
        """set_vocabulary's check and count: the tokens, after the OOV indices (and the mask in 'int' mode)."""
        layer_type = type(self).__name__
        if isinstance(vocabulary, str):
            _fail(layer_type, f"`vocabulary` names a file ({vocabulary!r}): Keras reads one token a line from it "
                              f"(and fails when it does not exist); shapewise reads no files",
                  expected="vocabulary: a list of tokens", fix="pass the vocabulary as a list of its tokens")
        if not isinstance(vocabulary, (list, tuple)) or any(isinstance(v, (list, tuple)) for v in vocabulary):
            _fail(layer_type, f"`vocabulary` must be a list of tokens or a file name. Received: "
                              f"vocabulary={vocabulary!r}", expected="vocabulary: a list of tokens",
                  fix="e.g. vocabulary=['a', 'b', 'c']")
        # NumPy's array of it: one string among the tokens makes every token a string
        vocabulary = [str(v) if any(isinstance(t, str) for t in vocabulary) and not isinstance(v, str) else v
                      for v in vocabulary]
        if not vocabulary:
            _fail(layer_type, f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        if not isinstance(self.num_oov_indices, int):
            _fail(layer_type, f"`num_oov_indices` must be an integer to place the vocabulary after the OOV indices. "
                              f"Received: num_oov_indices={self.num_oov_indices!r}",
                  expected="num_oov_indices: an integer >= 0", fix="e.g. num_oov_indices=1")
        oov_start = 1 if self.mask_token is not None and self.output_mode == "int" else 0
        token_start = oov_start + self.num_oov_indices
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        tokens = vocabulary[token_start:] if vocabulary[:token_start] == special else vocabulary
        seen, repeated = set(), []
        for t in tokens:
            if t in seen and t not in repeated:
                repeated.append(t)
            seen.add(t)
        if repeated:
            _fail(layer_type, "The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                              f"The repeated terms are: {repeated}")
        if isinstance(self.mask_token, (list, tuple)) and len(self.mask_token) not in (1, len(tokens)):
            # Keras compares the vocabulary with the mask token element by element (NumPy broadcasting)
            _fail(layer_type, f"operands could not be broadcast together with shapes ({len(tokens)},) "
                              f"({len(self.mask_token)},): the mask token is compared with every token. Received: "
                              f"mask_token={self.mask_token!r}", expected="mask_token: one token",
                  fix="e.g. mask_token='' (StringLookup) or mask_token=0 (IntegerLookup)")
        if isinstance(self.mask_token, (list, tuple)) and any(
                t == m for t, m in zip(tokens, self.mask_token * len(tokens) if len(self.mask_token) == 1
                                       else self.mask_token)):
            _fail(layer_type, f"Found reserved mask token at unexpected location in `vocabulary`. Received: "
                              f"mask_token={self.mask_token}")
        if self.mask_token is not None and not isinstance(self.mask_token, (list, tuple)) and \
                self.mask_token in tokens:
            _fail(layer_type, f"Found reserved mask token at unexpected location in `vocabulary`. Received: "
                              f"mask_token={self.mask_token}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            _fail(layer_type, f"Found reserved OOV token at unexpected location in `vocabulary`. Received: "
                              f"oov_token={self.oov_token}")
        size = token_start + len(tokens)
        if self.max_tokens is not None and size > self.max_tokens:
            _fail(layer_type, f"Attempted to set a vocabulary larger than the maximum vocab size. Received "
                              f"vocabulary size is {size}; `max_tokens` is {self.max_tokens}.")
        self._table_keys(tokens)
        if self.output_mode == "tf_idf" and not isinstance(idf_weights, (list, tuple)):
            _fail(layer_type, f"`idf_weights` must be a list with one weight per vocabulary term. Received: "
                              f"idf_weights={idf_weights!r}", expected="idf_weights: a list of numbers")
        if self.output_mode == "tf_idf" and any(isinstance(w, (list, tuple)) for w in idf_weights):
            _fail(layer_type, "TF-IDF data must be a 1-index array.", expected="idf_weights: a flat list of numbers")
        if self.output_mode == "tf_idf" and len(vocabulary) != len(idf_weights):
            _fail(layer_type, f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                              f"{len(idf_weights)}; len(vocabulary) is {len(vocabulary)}")
        return size

    def _table_keys(self, tokens):
        """The lookup table Keras makes of the tokens: strings for StringLookup (a vocabulary of numbers fails to
        convert), int64 for IntegerLookup (strings must read as integers; floats are cut to integers, and two that
        become the same key fail)."""
        layer_type = type(self).__name__
        if self._vocabulary_dtype == "string":
            if not all(isinstance(t, str) for t in tokens):
                _fail(layer_type, f"Failed to convert the vocabulary to a table of strings: its tokens are "
                                  f"{sorted({type(t).__name__ for t in tokens})}", expected="vocabulary: strings",
                      fix="pass the tokens as strings, or use IntegerLookup for integer tokens")
            return
        keys = []
        for t in tokens:
            try:
                keys.append(int(t))
            except (TypeError, ValueError):
                _fail(layer_type, f"invalid literal for int(): {t!r}: the table's keys are int64",
                      expected="vocabulary: integers", fix="pass the tokens as integers, or use StringLookup")
        if not self.invert and len(set(keys)) != len(keys):  # (inverted, the tokens are the table's values)
            _fail(layer_type, f"HashTable has different value for same key: the vocabulary {list(tokens)} gives "
                              f"the int64 keys {keys}", expected="vocabulary: distinct integers")

    def _depth(self, ctx):
        if self.pad_to_max_tokens:
            _call_int(ctx, self, "max_tokens")
            return ctx.const(self.max_tokens, "max_tokens")
        if self.vocabulary_size is None:
            return None  # set by adapt() on data: unknown until then
        return ctx.const(self.vocabulary_size, "vocabulary_size")

    def infer(self, ctx, x):
        ctx.units(_lookup_units, self)
        if x.rank:
            ctx.name_axes(x, "batch", ...)
        if self.output_mode == "int":
            ctx.note("each token is replaced by its index in the vocabulary (int64); the shape is unchanged"
                     if not self.invert else "each index is replaced by its token; the shape is unchanged")
            return ctx.spec(x.shape, "int64")
        return ctx.spec(_encode(ctx, x, self.output_mode, self._depth(ctx), "vocabulary_size"), "float32")


def _lookup_units(layer):
    size = ("max_tokens" if layer.pad_to_max_tokens else f"{layer.vocabulary_size} indices"
            if layer.vocabulary_size is not None else "a size set by adapt() on data")
    return (f"no units and no weights: a fixed table from token to index ({size}: the vocabulary, after "
            f"{layer.num_oov_indices} out-of-vocabulary index(es) and the mask index when there is one)")


@register()
class StringLookup(_IndexLookup):
    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token="[UNK]", vocabulary=None,
                 idf_weights=None, invert=False, output_mode="int", pad_to_max_tokens=False, sparse=False,
                 encoding="utf-8", name=None, salt=None, **kwargs):
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype="string",
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, name=name, salt=salt, **kwargs)


@register()
class IntegerLookup(_IndexLookup):
    def __init__(self, max_tokens=None, num_oov_indices=1, mask_token=None, oov_token=-1, vocabulary=None,
                 vocabulary_dtype="int64", idf_weights=None, invert=False, output_mode="int", sparse=False,
                 pad_to_max_tokens=False, oov_method="floormod", salt=None, name=None, **kwargs):
        if max_tokens is not None and _compare("IntegerLookup", "max_tokens", max_tokens, lambda v: v <= 1,
                                               "an integer greater than 1"):
            _fail("IntegerLookup", f"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. "
                                   f"Received: max_tokens={max_tokens}")
        if _compare("IntegerLookup", "num_oov_indices", num_oov_indices, lambda v: v < 0, "an integer >= 0"):
            _fail("IntegerLookup", f"The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. "
                                   f"Received: num_oov_indices={num_oov_indices}")
        if sparse:
            _fail("IntegerLookup", "`sparse=True` can only be used with the TensorFlow backend.")
        if vocabulary_dtype != "int64":
            _fail("IntegerLookup", "Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                                   f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name,
                         **kwargs)


@register()
class TextVectorization(Layer):
    compute = no_compute  # string splitting and a table lookup (TensorFlow ops, outside torch)

    def __init__(self, max_tokens=None, standardize="lower_and_strip_punctuation", split="whitespace", ngrams=None,
                 output_mode="int", output_sequence_length=None, pad_to_max_tokens=False, vocabulary=None,
                 idf_weights=None, sparse=False, ragged=False, encoding="utf-8", name=None, **kwargs):
        t = "TextVectorization"
        if sparse:
            _fail(t, "`sparse=True` can only be used with the TensorFlow backend.")
        if ragged:
            _fail(t, "`ragged=True` can only be used with the TensorFlow backend.")
        _string_arg(t, "standardize", standardize, ("lower_and_strip_punctuation", "lower", "strip_punctuation"),
                    allow_none=True, allow_callables=True)
        _string_arg(t, "split", split, ("whitespace", "character"), allow_none=True, allow_callables=True)
        output_mode = _mode_alias(output_mode)
        _string_arg(t, "output_mode", output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if not (ngrams is None or isinstance(ngrams, int) or isinstance(ngrams, tuple) and all(
                isinstance(i, int) for i in ngrams)):
            _fail(t, f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        if output_mode == "int" and not (isinstance(output_sequence_length, int) or output_sequence_length is None):
            _fail(t, "`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                     f"Received: output_sequence_length={output_sequence_length}")
        if output_mode != "int" and output_sequence_length is not None:
            _fail(t, "`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                     f"output_sequence_length={output_sequence_length}.")
        if ragged and output_mode != "int":
            _fail(t, f"`ragged` must not be true if `output_mode` is `'int'`. Received: ragged={ragged} and "
                     f"output_mode={output_mode}")
        kwargs.pop("has_input_vocabulary", None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        super().__init__(name=name, **kwargs)
        self.split = split
        self.output_mode = output_mode
        self.output_sequence_length = output_sequence_length
        self.max_tokens = max_tokens
        # Keras keeps a StringLookup(mask_token="") inside (not a tracked sublayer of the model)
        try:
            self._lookup = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                        pad_to_max_tokens=pad_to_max_tokens, mask_token="",
                                        output_mode=output_mode, vocabulary_size=vocabulary_size,
                                        name=f"{self.name}_lookup")
        except ArgumentError as e:  # Keras's inner StringLookup refuses the vocabulary arguments: say whose they are
            e.message = f"{e.message} (TextVectorization passes max_tokens, vocabulary, idf_weights and " \
                        f"pad_to_max_tokens to the StringLookup it keeps inside)"
            e.layer_type = t
            raise

    def infer(self, ctx, x):
        ctx.units(_lookup_units, self._lookup)
        if self.output_mode == "int":
            n = self.output_sequence_length
            if n is not None:
                _call_int(ctx, self, "output_sequence_length")
            steps = None if n is None else ctx.const(n, "output_sequence_length")
            ctx.note("each string is split into tokens, each token replaced by its index (int64): "
                     + ("padded or cut to output_sequence_length tokens" if n is not None else
                        "as many as the longest string has (unknown until run)"))
            return ctx.spec((x.shape[0] if x.rank else None, steps), "int64")
        shape = x.shape
        if self.split is None:
            if x.rank <= 1:
                shape = (*shape, Known(1))
        else:
            shape = (*shape, None)
        from ..engine import Spec

        return ctx.spec(_encode(ctx, Spec(shape), self.output_mode, self._lookup._depth(ctx), "vocabulary_size"),
                        "float32")


# --------------------------------------------------------------------------------------------------------------
# Audio

#: the window names scipy.signal.get_window takes without parameters (STFTSpectrogram checks its window with it)
_WINDOWS = frozenset(
    "boxcar box ones rect rectangular triang triangle tri blackman black blk hamming hamm ham bartlett bart brt hann "
    "han flattop flat flt parzen parz par bohman bmn blackmanharris blackharr bkh nuttall nutl nut barthann brthan "
    "bth cosine halfcosine exponential poisson tukey tuk taylor taylorwin lanczos sinc".split())


@register()
class MelSpectrogram(Layer):
    def __init__(self, fft_length=2048, sequence_stride=512, sequence_length=None, window="hann",
                 sampling_rate=16000, num_mel_bins=128, min_freq=20.0, max_freq=None, power_to_db=True,
                 top_db=80.0, mag_exp=2.0, min_power=1e-10, ref_power=1.0, **kwargs):
        super().__init__(**kwargs)
        t = "MelSpectrogram"
        self.fft_length = fft_length
        self.sequence_stride = sequence_stride
        self.sequence_length = sequence_length or fft_length
        try:
            self.fft_length < self.sequence_length  # noqa: B015 - Keras's check, which fails on other types
        except TypeError:
            _fail(t, f"`fft_length` and `sequence_length` must be numbers of samples. Received: fft_length="
                     f"{fft_length!r}, sequence_length={sequence_length!r}",
                  "fft_length and sequence_length: integer numbers of samples", "e.g. fft_length=2048")
        if not _numeric(sampling_rate):
            _fail(t, f"`sampling_rate` must be a number (samples per second). Received: sampling_rate="
                     f"{sampling_rate!r}", "sampling_rate: a number such as 16000")
        if self.fft_length < self.sequence_length:
            _fail("MelSpectrogram", "`fft_length` must be greater than or equal to   `sequence_length`. Received: "
                                    f"`sequence_length`={self.sequence_length}, `fft_length`={self.fft_length}.")
        self.num_mel_bins = num_mel_bins

    def compute(self, c):
        # an rfft per frame (not a matmul: FlopCounterMode does not count it), then the mel filter bank, a matmul
        # of the frequencies by num_mel_bins per frame (measured)
        if not isinstance(self.num_mel_bins, int) or not isinstance(self.fft_length, int):
            c.note("the mel filter bank's size is not a number here: its work is not counted")
            return
        out = c.out(0)
        frames = out[-1]
        lead = out[:-2]
        freqs = c.const(self.fft_length // 2 + 1, "frequencies")
        c.macs(product(lead) * frames * freqs * c.const(self.num_mel_bins, "num_mel_bins"),
               "the power spectrum × the mel filter bank")

    def infer(self, ctx, x):
        if x.rank == 0:
            ctx.fail("MelSpectrogram needs an input with a time axis", expected="(batch, samples)")
        _call_int(ctx, self, "sequence_stride", 1)
        if self.num_mel_bins is None:
            bins = Unknown("num_mel_bins")  # Keras makes a (batch, None, frames) output of it
        else:
            _call_int(ctx, self, "num_mel_bins")
            bins = ctx.const(self.num_mel_bins, "num_mel_bins")
        stride = ctx.const(self.sequence_stride, "sequence_stride")
        samples = x.shape[0] if x.rank == 1 else x.shape[1]
        frames = ctx.derive("frames", (samples + stride + 1) // stride)
        ctx.note("the waveform is cut into frames every sequence_stride samples; each frame becomes num_mel_bins "
                 "mel-scaled energies: out = (num_mel_bins, ⌊(samples + stride + 1) / stride⌋)")
        ctx.units("no units and no weights: the mel filter bank and Fourier transform are fixed")
        if x.rank == 1:
            return ctx.spec((bins, frames))
        return ctx.spec((x.shape[0], bins, frames))


@register()
class STFTSpectrogram(Layer):
    def __init__(self, mode="log", frame_length=256, frame_step=None, fft_length=None, window="hann",
                 periodic=False, scaling="density", padding="valid", expand_dims=False, data_format=None, **kwargs):
        t = "STFTSpectrogram"
        for name, value in (("frame_length", frame_length), ("frame_step", frame_step), ("fft_length", fft_length)):
            if value is not None and not _numeric(value) or name == "frame_length" and (value is None or
                                                                                        value <= 0):
                _fail(t, f"`{name}` must be a positive integer number of samples. Received: {name}={value!r}",
                      f"{name}: a positive integer", f"e.g. {name}=256")
        if frame_step is not None and (frame_step > frame_length or frame_step < 1):
            _fail(t, "`frame_step` should be a positive integer not greater than `frame_length`. Received "
                     f"frame_step={frame_step}, frame_length={frame_length}")
        if fft_length is not None and fft_length < frame_length:
            _fail(t, f"`fft_length` should be not less than `frame_length`. Received fft_length={fft_length}, "
                     f"frame_length={frame_length}")
        modes = ["log", "magnitude", "psd", "real", "imag", "angle", "stft"]
        if mode not in modes:
            _fail(t, f"Output mode is invalid, it must be one of {', '.join(modes)}. Received: mode={mode}")
        if scaling is not None and scaling not in ["density", "spectrum"]:
            _fail(t, f"Scaling is invalid, it must be `None`, 'density' or 'spectrum'. Received scaling={scaling}")
        if padding not in ["valid", "same"]:
            _fail(t, f"Padding is invalid, it should be 'valid', 'same'. Received: padding={padding}")
        if isinstance(window, str) and window not in _WINDOWS:
            _fail(t, f"Invalid window name '{window}' in parameter window='{window}'!",
                  "window: 'hann' (the default), 'hamming', another scipy window name, None or frame_length numbers",
                  "use window='hann'")
        super().__init__(**kwargs)
        self.window = window
        self.periodic = periodic
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step or frame_length // 2
        self.fft_length = fft_length or 2 ** int(math.ceil(math.log2(frame_length)))
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = standardize_data_format(data_format, t)

    def compute(self, c):
        # a conv1d of every channel with each kernel (frame_length × frequencies), at every frame (measured)
        batch = c.axes(0)[0]
        channels = c.axes(0)[-1 if self.data_format == "channels_last" else 1]
        out = c.out(0)
        frames = out[1] if self.data_format == "channels_last" else out[2 if not self.expand_dims else 2]
        kernels = (self.mode != "imag") + (self.mode != "real")
        freqs = c.const(self.fft_length // 2 + 1, "frequencies")
        c.macs(scaled(kernels, (batch, frames, c.const(self.frame_length, "frame_length"), freqs, channels)),
               "each frame × the real/imaginary Fourier kernels")
        # saved for backward (Keras counts the kernels trainable): each convolution's input, the signals
        # where the mode combines them (keras/src/layers/preprocessing/stft_spectrogram.py call)
        if self.data_format == "channels_last" and channels.value != 1:
            c.saves(kernels * product(c.axes(0)), "the input, one signal per row, for each kernel (copies)")
        else:  # a view of the input
            c.saves_input(0, "input")
        signal = batch * channels * freqs * frames
        keeps = {"angle": 2, "psd": 2, "magnitude": 4, "log": 5}.get(self.mode, 0)
        if self.mode == "log" and self.data_format == "channels_last" and not self.expand_dims and \
                channels.value != 1:
            keeps += 1  # the magnitude (laid out time before frequency) merged with the channels: a copy
        if keeps:
            c.saves(keeps * signal, {"angle": "the real and imaginary signals", "psd": "the real and imaginary "
                                     "signals", "magnitude": "the signals, the power and its square root",
                                     "log": "the signals, the power, its square root and the clipped "
                                            "magnitude"}[self.mode])
        if self.mode in ("magnitude", "log"):
            c.saves(Known(1 if self.mode == "magnitude" else 2), "epsilon (0-d tensors)")

    def infer(self, ctx, x):
        _call_int(ctx, self, "frame_length", 2)
        if ctx.building:  # build() makes the window (scipy's get_window) for the kernels
            window = self.window
            if not isinstance(self.periodic, bool):
                ctx.fail(f"Parameter fftbins={self.periodic!r} is not of type bool!", expected="periodic: True or False")
            if window is not None and not isinstance(window, str) and (
                    not isinstance(window, (list, tuple)) or len(window) != self.frame_length):
                size = len(window) if isinstance(window, (list, tuple)) else "a scalar"
                ctx.fail(f"The shape of `window` must be equal to [frame_length]. Received: a window of {size}",
                         expected=f"window: a name like 'hann', None, or {self.frame_length} numbers")
        if x.rank != 3:  # InputSpec(ndim=3)
            ctx.fail(f"STFTSpectrogram needs a 3D input (batch, samples, channels), got rank {x.rank}",
                     expected="(batch, samples, channels)" if self.data_format == "channels_last" else
                     "(batch, channels, samples)", fix="add a channel axis, e.g. Reshape((-1, 1))")
        last = self.data_format == "channels_last"
        if last:
            batch, samples, channels = ctx.bind(x, "batch", "samples", "channels")
        else:
            batch, channels, samples = ctx.bind(x, "batch", "channels", "samples")
        if channels.value is None:  # Keras's call reshapes the frames to (batch, channels, frequencies, frames)
            ctx.fail("STFTSpectrogram needs a known number of channels: Keras's call reshapes its frames to "
                     "(batch, channels, frequencies, frames) and fails on an unknown channel count",
                     expected="(batch, samples, channels) with channels a number" if self.data_format ==
                     "channels_last" else "(batch, channels, samples) with channels a number",
                     fix="give the channel axis a concrete size")
        frame = ctx.const(self.frame_length, "frame_length")
        freqs = ctx.const(self.fft_length // 2 + 1, "frequencies")
        shape = (frame, Known(1), freqs)
        if self.mode != "imag":
            ctx.weight("real_kernel", shape)
        if self.mode != "real":
            ctx.weight("imag_kernel", shape)
        if isinstance(self.frame_step, int):
            (frames,) = conv_output_dims(ctx, [samples], [frame], (self.frame_step,), (1,), self.padding,
                                         ("steps",), "use shorter frames (frame_length) or a longer input",
                                         kind="frame")
        else:  # a fractional frame_step: Keras's shape arithmetic is in floats (torch cannot run it on data)
            ctx.warn(f"frame_step={self.frame_step} is not a whole number of samples: Keras builds the layer, but "
                     f"its convolution cannot run on data")
            n = samples.value
            if n is None:
                frames = Unknown("frames")
            elif self.padding == "same":
                frames = Known(math.ceil(n / self.frame_step), "frames")
            else:
                frames = Known(math.floor((n - self.frame_length) / self.frame_step) + 1, "frames")
        per_channel = freqs * 2 if self.mode == "stft" else freqs
        ctx.units(f"no units: real_kernel/imag_kernel hold the windowed Fourier basis ({self.frame_length} samples × "
                  f"{self.fft_length // 2 + 1} frequencies), set at creation, not trained by design (Keras still "
                  f"counts them as trainable weights)")
        if self.expand_dims:
            return ctx.spec((batch, frames, per_channel, channels) if last else (batch, channels, frames, per_channel))
        out = ctx.derive("features", per_channel * channels)
        ctx.note("each frame of frame_length samples becomes one spectrum per channel, the channels side by side")
        return ctx.spec((batch, frames, out) if last else (batch, out, frames))


# --------------------------------------------------------------------------------------------------------------
# Pipeline


def _pipeline_compute(self, c):
    """Each layer's declared cost on the tensor the previous one gave it (the chain the rule ran: its contexts)."""
    children = [child for _, child in (c.ctx.children if c.ctx is not None else ())]
    if len(children) != len(self.layers):
        c.note("a Pipeline's layers are not counted one by one here (their own rows are not in the model)")
        c.declared = False
        return
    # The tensors between the layers, written in the pipeline's own input axes (so "linear in batch, ..." reads
    # through them); the first and the last stand for the pipeline's input and output.
    named = {id(raw): axis for raw, axis in zip(c.inputs[0].shape, c.axes(0))}

    def mapped(spec):
        dims = []
        for d in spec.shape:
            inner = d
            while id(inner) not in named and type(inner) is Named:
                inner = inner.inner
            dims.append(named.get(id(inner), d))
        return Spec(tuple(dims), spec.dtype)

    tensors = [mapped(child.input_specs[0]) for child in children] + [mapped(c.outputs[0])]
    ends = {id(tensors[0]): id(c.inputs[0]), id(tensors[-1]): id(c.outputs[0])}
    for i, (layer, child) in enumerate(zip(self.layers, children)):
        c.sublayer(layer, [tensors[i]], [tensors[i + 1]], ctx=child)
    c.saved[:] = [(ends.get(key, key), *rest) for key, *rest in c.saved]
    c.aliases[:] = [(ends.get(a, a), ends.get(b, b)) for a, b in c.aliases]


@register()
class Pipeline(Layer):
    compute = _pipeline_compute

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        self.layers = list(layers)
        self._sublayers = self.layers

    def infer(self, ctx, x, training=None):
        for layer in self.layers:
            x = ctx.call(layer, x)
        ctx.note("the layers of the pipeline run one after the other: " + " → ".join(l.name for l in self.layers))
        return x

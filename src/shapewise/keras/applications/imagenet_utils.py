"""Input-shape and argument checks shared by the applications: a port of ``keras/src/applications/
imagenet_utils.py`` (Keras 3, Apache-2.0), raising shapewise errors where Keras raises ``ValueError``.
"""

from __future__ import annotations

import warnings

from ...errors import ArgumentError, ShapeError
from ...rules.core import check_activation


def obtain_input_shape(input_shape, default_size, min_size, data_format, require_flatten, weights=None):
    """The model's input shape: the user's, checked, or the default one (Keras's rules, message for message)."""
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        if data_format == "channels_first":
            correct_channel_axis = 1 if len(input_shape) == 4 else 0
            if input_shape[correct_channel_axis] not in {1, 3}:
                warnings.warn(
                    "This model usually expects 1 or 3 input channels. However, it was passed an input_shape "
                    f"with {input_shape[0]} input channels.", stacklevel=2)
            default_shape = (input_shape[0], default_size, default_size)
        else:
            if input_shape[-1] not in {1, 3}:
                warnings.warn(
                    "This model usually expects 1 or 3 input channels. However, it was passed an input_shape "
                    f"with {input_shape[-1]} input channels.", stacklevel=2)
            default_shape = (default_size, default_size, input_shape[-1])
    else:
        if data_format == "channels_first":
            default_shape = (3, default_size, default_size)
        else:
            default_shape = (default_size, default_size, 3)
    if weights == "imagenet" and require_flatten:
        if input_shape is not None:
            if input_shape != default_shape:
                raise ShapeError(
                    "When setting `include_top=True` and loading `imagenet` weights, `input_shape` should be "
                    f"{default_shape}.  Received: input_shape={input_shape}",
                    got=tuple(input_shape), expected=str(default_shape),
                    fix="pass include_top=False to use another input size, or weights=None")
        return default_shape
    if input_shape:
        if data_format == "channels_first":
            channels, rows, cols = 0, 1, 2
        else:
            channels, rows, cols = -1, 0, 1
        if len(input_shape) != 3:
            raise ShapeError("`input_shape` must be a tuple of three integers.", got=tuple(input_shape),
                             expected="(height, width, channels)")
        if input_shape[channels] != 3 and weights == "imagenet":
            raise ShapeError(
                f"The input must have 3 channels; Received `input_shape={input_shape}`",
                got=tuple(input_shape), expected="3 channels (the ImageNet weights were trained on RGB)",
                fix="pass weights=None to build the model for another number of channels")
        if (input_shape[rows] is not None and input_shape[rows] < min_size) or (
            input_shape[cols] is not None and input_shape[cols] < min_size
        ):
            raise ShapeError(
                f"Input size must be at least {min_size}x{min_size}; Received: input_shape={input_shape}",
                got=tuple(input_shape), expected=f"height and width ≥ {min_size}")
    else:
        if require_flatten:
            input_shape = default_shape
        else:
            if data_format == "channels_first":
                input_shape = (3, None, None)
            else:
                input_shape = (None, None, 3)
    if require_flatten:
        if None in input_shape:
            raise ShapeError(
                "If `include_top` is True, you should specify a static `input_shape`. "
                f"Received: input_shape={input_shape}",
                got=tuple(input_shape), expected="a height and a width that are numbers",
                fix="give every size, or pass include_top=False")
    return input_shape


def correct_pad(inputs, kernel_size):
    """The zero-padding for a 2D convolution with downsampling (Keras's ``correct_pad``)."""
    img_dim = 1
    input_size = inputs.shape[img_dim : (img_dim + 2)]
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if input_size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - input_size[0] % 2, 1 - input_size[1] % 2)
    correct = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))


def validate_activation(classifier_activation, weights):
    """With pretrained weights, the classifier's activation can only be softmax or none."""
    if weights is None:
        return
    check_activation(classifier_activation, "Dense")
    if classifier_activation not in {"softmax", "linear", None}:
        raise ArgumentError(
            "Only `None` and `softmax` activations are allowed for the `classifier_activation` argument when "
            f"using pretrained weights, with `include_top=True`; Received: "
            f"classifier_activation={classifier_activation}",
            fix="pass weights=None to use another activation")


def input_tensor_for(input_tensor, input_shape):
    """The model's input, as every Keras application builder makes it: a new ``Input`` of ``input_shape``, the
    given ``input_tensor`` when it is already a symbolic tensor, or an ``Input`` wrapping it otherwise."""
    from ...graph import Input
    from ._compat import backend

    if input_tensor is None:
        return Input(shape=input_shape)
    if not backend.is_keras_tensor(input_tensor):
        return Input(tensor=input_tensor, shape=input_shape)
    return input_tensor

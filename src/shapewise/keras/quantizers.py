"""``keras.quantizers``: the configuration objects ``model.quantize(mode, config=...)`` and a layer's
``quantization_config=`` take, with Keras 3.15.1's arguments, defaults and checks (keras/src/quantizers/*.py).

They hold settings only: what a quantization creates is in rules/quantization.py. GPTQ and AWQ keep their
``dataset`` and ``tokenizer`` as given; Keras needs both to calibrate, shapewise never reads them.
"""

from __future__ import annotations

from ..errors import ArgumentError


class AbsMaxQuantizer:
    def __init__(self, axis=None, value_range=(-127, 127), epsilon=1e-07, output_dtype="int8"):
        self.axis = None if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)  # (as Keras)
        self.value_range = tuple(value_range)
        self.epsilon = epsilon
        self.output_dtype = output_dtype
        if output_dtype == "int8" and (value_range[0] < -128 or value_range[1] > 127):
            raise ArgumentError(f"Quantizer with output_dtype='int8' requires value_range to be within the interval "
                                f"[-128, 127]. Received: value_range={value_range}", layer_type="AbsMaxQuantizer",
                                expected="value_range inside [-128, 127], e.g. (-127, 127) or int4's (-8, 7)")


class QuantizationConfig:
    """The base of every config; ``mode`` names the quantization it configures."""

    mode = None

    def __init__(self, weight_quantizer=None, activation_quantizer=None):
        self.weight_quantizer = weight_quantizer
        self.activation_quantizer = activation_quantizer


class Int8QuantizationConfig(QuantizationConfig):
    mode = "int8"

    def __init__(self, weight_quantizer=None, activation_quantizer="default"):
        if activation_quantizer == "default":
            activation_quantizer = AbsMaxQuantizer()
        super().__init__(weight_quantizer, activation_quantizer)
        if weight_quantizer is not None and getattr(weight_quantizer, "output_dtype", None) != "int8":
            raise ArgumentError("Int8QuantizationConfig requires a weight_quantizer with output_dtype='int8'. "
                                f"Received: output_dtype={getattr(weight_quantizer, 'output_dtype', None)}",
                                layer_type="Int8QuantizationConfig")


class Int4QuantizationConfig(QuantizationConfig):
    mode = "int4"

    def __init__(self, weight_quantizer=None, activation_quantizer="default", block_size=128):
        if activation_quantizer == "default":
            activation_quantizer = None  # int4 is weight-only by default
        super().__init__(weight_quantizer, activation_quantizer)
        if block_size is not None and (isinstance(block_size, bool) or not isinstance(block_size, int)
                                       or (block_size != -1 and block_size <= 0)):
            raise ArgumentError(f"block_size must be None, -1, or a positive integer. Received: "
                                f"block_size={block_size}", layer_type="Int4QuantizationConfig",
                                expected="None or -1 (one scale per output unit), or a block size like 128")
        self.block_size = block_size
        if block_size is not None and block_size > 0 and (weight_quantizer is not None
                                                          or self.activation_quantizer is not None):
            raise ArgumentError("Int4 sub-channel quantization (block_size > 0) does not support custom "
                                "quantizers. Either set block_size to None or -1 for per-channel quantization, or "
                                f"remove the custom quantizer arguments. Received: block_size={block_size}",
                                layer_type="Int4QuantizationConfig")
        if weight_quantizer is not None:
            if tuple(getattr(weight_quantizer, "value_range", ())) != (-8, 7):
                raise ArgumentError("Int4QuantizationConfig requires a weight_quantizer with value_range=(-8, 7). "
                                    f"Received: value_range={getattr(weight_quantizer, 'value_range', None)}",
                                    layer_type="Int4QuantizationConfig")
            if getattr(weight_quantizer, "output_dtype", None) != "int8":
                raise ArgumentError("Int4QuantizationConfig requires a weight_quantizer with output_dtype='int8'. "
                                    f"Received: output_dtype={getattr(weight_quantizer, 'output_dtype', None)}",
                                    layer_type="Int4QuantizationConfig")


class Float8QuantizationConfig(QuantizationConfig):
    mode = "float8"

    def __init__(self):
        super().__init__()


def _positive(value, message, layer_type):
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ArgumentError(message, layer_type=layer_type)


def _group_size(group_size, layer_type, what):
    if isinstance(group_size, bool) or not isinstance(group_size, int) or group_size < -1 or group_size == 0:
        raise ArgumentError(f"Invalid group_size. Supported values are -1 ({what}) or a positive integer, but got "
                            f"{group_size}.", layer_type=layer_type,
                            expected="-1 or a positive group size such as 128")


class GPTQConfig(QuantizationConfig):
    mode = "gptq"

    def __init__(self, dataset, tokenizer, *, weight_bits=4, num_samples=128, per_channel=True, sequence_length=512,
                 hessian_damping=0.01, group_size=128, symmetric=False, activation_order=False,
                 quantization_layer_structure=None):
        super().__init__()
        if weight_bits not in (2, 3, 4, 8):
            raise ArgumentError(f"Unsupported weight_bits {weight_bits}. Supported values are 2, 3, 4, and 8.",
                                layer_type="GPTQConfig", expected="weight_bits in (2, 3, 4, 8)")
        _positive(num_samples, "num_samples must be a positive integer.", "GPTQConfig")
        _positive(sequence_length, "sequence_length must be a positive integer.", "GPTQConfig")
        if not 0 <= hessian_damping <= 1:
            raise ArgumentError("hessian_damping must be between 0 and 1.", layer_type="GPTQConfig")
        _group_size(group_size, "GPTQConfig", "whole-tensor")
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.weight_bits = weight_bits
        self.num_samples = num_samples
        self.per_channel = per_channel
        self.sequence_length = sequence_length
        self.hessian_damping = hessian_damping
        self.group_size = group_size
        self.symmetric = symmetric
        self.activation_order = activation_order
        self.quantization_layer_structure = quantization_layer_structure

    def dtype_policy_string(self):
        return f"gptq/{self.weight_bits}/{self.group_size}"


class AWQConfig(QuantizationConfig):
    mode = "awq"

    def __init__(self, dataset, tokenizer, *, weight_bits=4, num_samples=128, sequence_length=512, group_size=128,
                 num_grid_points=20, quantization_layer_structure=None):
        super().__init__()
        if weight_bits != 4:
            raise ArgumentError(f"AWQ only supports 4-bit quantization. Received weight_bits={weight_bits}.",
                                layer_type="AWQConfig", expected="weight_bits=4")
        _positive(num_samples, "num_samples must be a positive integer.", "AWQConfig")
        _positive(sequence_length, "sequence_length must be a positive integer.", "AWQConfig")
        _group_size(group_size, "AWQConfig", "per-channel")
        _positive(num_grid_points, "num_grid_points must be a positive integer.", "AWQConfig")
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.weight_bits = weight_bits
        self.num_samples = num_samples
        self.sequence_length = sequence_length
        self.group_size = group_size
        self.num_grid_points = num_grid_points
        self.quantization_layer_structure = quantization_layer_structure

    def dtype_policy_string(self):
        return f"awq/{self.weight_bits}/{self.group_size}"


MODES = ("int8", "float8", "int4", "gptq", "awq")


def resolve_config(mode, config):
    """Keras's ``validate_and_resolve_config``: the config a ``quantize(mode, config)`` call runs with."""
    if isinstance(config, str):
        mode, config = config, None
    if mode is not None and mode not in MODES:
        raise ArgumentError(f"Invalid quantization mode. Expected one of {MODES}. Received: mode={mode}",
                            expected="one of " + ", ".join(MODES))
    if config is None:
        if mode == "int8":
            return Int8QuantizationConfig()
        if mode == "int4":
            return Int4QuantizationConfig()
        if mode == "float8":
            return Float8QuantizationConfig()
        if mode == "gptq":
            raise ArgumentError("For GPTQ, you must pass a `GPTQConfig` object in the `config` argument.",
                                fix="model.quantize('gptq', config=keras.quantizers.GPTQConfig(dataset, tokenizer))")
        if mode == "awq":
            raise ArgumentError("For AWQ, you must pass an `AWQConfig` object in the `config` argument.",
                                fix="model.quantize('awq', config=keras.quantizers.AWQConfig(dataset, tokenizer))")
        raise ArgumentError("You must provide either `mode` or `config` to `quantize`.",
                            expected="a mode such as 'int8', or a keras.quantizers config")
    if not isinstance(config, QuantizationConfig):
        raise ArgumentError(f"Argument `config` must be an instance of `QuantizationConfig`. Received: "
                            f"config={config!r} (of type {type(config).__name__})",
                            expected="a keras.quantizers config object")
    if mode is not None and config.mode != mode:
        raise ArgumentError(f"Contradictory arguments: mode='{mode}' but config.mode='{config.mode}'",
                            fix="give the mode or the config, or make them agree")
    return config

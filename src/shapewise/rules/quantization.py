"""Quantization of Dense and Embedding, as Keras 3.15.1 does it (``dtype="int8_from_float32"`` at construction, or
``layer.quantize(mode)`` / ``model.quantize(mode)`` on a built model).

- ``int8``: the matrix is stored as int8 (non-trainable) with one float scale per output unit (per row of an
  Embedding): ``kernel_scale`` (units,), ``embeddings_scale`` (input_dim,). The bias stays float and trainable.
- ``int4``: two 4-bit values packed in each int8, along the last axis: (features, ⌈units/2⌉). From a dtype policy
  the scales are per unit; ``quantize("int4")`` quantizes in blocks of 128 inputs, with a scale and a zero point
  per block and unit and ``g_idx``, the block of each input.
- ``float8``: the kernel stays float32; the layer keeps a scale and a history of the last 1,024 absolute maxima
  for its inputs, its kernel and its output gradients (six more weights, all trainable in Keras's count).

A policy ``<mode>_from_<source>`` computes in the source policy's dtype (``mixed_bfloat16`` computes in bfloat16).
"""

from __future__ import annotations

from ..dims import Known, product
from ..engine import Weight
from ..errors import ArgumentError

MODES = ("int8", "float8", "int4", "gptq", "awq")
_AMAX_HISTORY = 1024
_INT4_BLOCK = 128  # quantize("int4")'s default block size (Int4QuantizationConfig)


def parse_policy(layer_type, dtype):
    """(mode, compute dtype, variable dtype) of a dtype policy name; mode is None when not quantized."""
    if not isinstance(dtype, str):
        return None, None, None
    if dtype in MODES or dtype.startswith(("gptq", "awq")) and "_from_" not in dtype:
        raise ArgumentError("Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate "
                            f"`QuantizedDTypePolicy`. Received: policy={dtype}", layer_type=layer_type,
                            expected="'<mode>_from_<source>', e.g. 'int8_from_float32'")
    if "_from_" not in dtype:
        return None, None, None
    mode, source = dtype.split("_from_", 1)
    if mode.startswith(("gptq", "awq")):
        raise ArgumentError(f"shapewise does not model {mode.split('/')[0].upper()} quantization (its weights "
                            f"come from calibrating on data)", layer_type=layer_type,
                            fix="use an int8, int4 or float8 policy, or leave the layer unquantized")
    if mode not in MODES:
        raise ArgumentError(f"Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate "
                            f"`QuantizedDTypePolicy`. Received: policy={dtype}", layer_type=layer_type)
    compute = source.removeprefix("mixed_")
    variable = "float32" if source.startswith("mixed_") else source
    return mode, compute, variable


class QuantMixin:
    """What Dense and Embedding add for quantization: the policy's compute dtype and ``quantize(mode)``."""

    quantization_mode = None
    _compute = None

    def _init_quant(self):
        mode, compute, variable = parse_policy(type(self).__name__, self.dtype)
        self.quantization_mode = mode
        self._compute = compute
        self._variable_dtype = variable

    @property
    def compute_dtype(self):
        return self._compute or self.dtype

    def quantize(self, mode=None, type_check=True, config=None):
        """``layer.quantize(mode)`` on a built layer: its matrix replaced by the quantized one and its scales."""
        layer_type = type(self).__name__
        _check_mode(mode, config)
        if not self.built:
            raise ArgumentError(f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                                f"'{layer_type}') is not built yet.", layer=self.name, layer_type=layer_type)
        if self.quantization_mode is not None:
            raise ArgumentError(f"Layer '{self.name}' is already quantized with dtype_policy="
                                f"'{self.dtype}'. Received: mode={mode}", layer=self.name, layer_type=layer_type)
        base = next(w for w in self._weights if w.name == self._lora_base)
        logical = getattr(self, "_logical_dims", None) or base.dims
        weights = list(self._weights)
        if mode == "float8" and self._lora_base == "embeddings":
            return  # Keras's Embedding has no float8 form: quantize("float8") leaves it as it is
        self.lora_keeps_order = mode == "float8" and self.lora_enabled
        if mode in ("int8", "int4"):
            weights.remove(base)
            new = _quantized(self, mode, logical, block=_INT4_BLOCK if mode == "int4" else None)
            weights += [Weight(name, dims, False, self) for name, dims in new]
        else:
            weights += [Weight(name, dims, True, self) for name, dims in _float8()]
        self._weights = weights
        self.quantization_mode = mode
        self._logical_dims = logical
        self._compute = self.compute_dtype
        self.dtype = f"{mode}_from_{self.dtype}"
        ctx = self._build_ctx
        if ctx is not None:
            ctx.weights = weights
            ctx.formula(sum((product(w.dims) for w in weights[1:]), product(weights[0].dims)))
            ctx.note(_note, self._lora_base, mode, tuple(d.value for d in logical))


def _check_mode(mode, config):
    if mode not in MODES:
        raise ArgumentError(f"Invalid quantization mode. Expected one of {MODES}. Received: mode={mode}",
                            expected="one of " + ", ".join(MODES))
    if mode == "gptq" and config is None:
        raise ArgumentError("For GPTQ, you must pass a `GPTQConfig` object in the `config` argument.")
    if mode == "awq" and config is None:
        raise ArgumentError("For AWQ, you must pass an `AWQConfig` object in the `config` argument.")
    if mode in ("gptq", "awq"):
        raise ArgumentError(f"shapewise does not model {mode.upper()} quantization (its weights come from "
                            f"calibrating on data)", fix="use int8, int4 or float8")


def _quantized(layer, mode, logical, block=None):
    """(name, dims) of the weights replacing the matrix ``logical`` (its float shape) in int8 / int4."""
    name = layer._lora_base
    *inputs, last = logical
    packed = (last + 1) // 2 if mode == "int4" else last
    matrix = (*inputs, packed)
    if name == "embeddings":
        rows, cols = logical
        if mode == "int4" and block:
            groups = Known(-(-cols.value // block), "blocks")
            return [(name, matrix), ("embeddings_scale", (rows, groups)), ("embeddings_zero", (rows, groups)),
                    ("g_idx", (cols,))]
        return [(name, matrix), ("embeddings_scale", (rows,))]
    features, units = logical
    if mode == "int4" and block:
        groups = Known(-(-features.value // block), "blocks")
        return [("kernel", matrix), ("kernel_scale", (groups, units)), ("kernel_zero", (groups, units)),
                ("g_idx", (features,))]
    return [("kernel", matrix), ("kernel_scale", (units,))]


def _float8():
    history = Known(_AMAX_HISTORY, "amax_history_length")
    out = []
    for what in ("inputs", "kernel", "outputs_grad"):
        out += [(f"{what}_scale", ()), (f"{what}_amax_history", (history,))]
    return out


def declare(ctx, layer, logical, bias=None):
    """In the rule of a layer built with a quantized policy: its weights in Keras's order (float8's six first,
    then the float matrix and bias; int8/int4: the stored matrix, the bias and the scales)."""
    mode = layer.quantization_mode
    layer._logical_dims = logical
    if mode == "float8":
        if layer._lora_base == "embeddings":
            ctx.fail("Keras 3.15.1 builds no Embedding with a float8 policy (it has no float8 form)",
                     expected="an int8 or int4 policy", fix="use dtype='int8_from_float32'")
        for name, dims in _float8():
            ctx.weight(name, dims)
        ctx.weight(layer._lora_base, logical)
        if bias is not None:
            ctx.weight("bias", bias)
    else:
        new = _quantized(layer, mode, logical)
        ctx.weight(new[0][0], new[0][1], trainable=False)
        if bias is not None:
            ctx.weight("bias", bias)
        for name, dims in new[1:]:
            ctx.weight(name, dims, trainable=False)
    ctx.formula(sum((product(w.dims) for w in ctx.weights[1:]), product(ctx.weights[0].dims)))
    ctx.note(_note, layer._lora_base, mode, tuple(d.value for d in logical))


def _note(name, mode, shape):
    size = 1
    for d in shape:
        size *= d
    if mode == "float8":
        return (f"float8 quantization: the {name} stays float32; inputs_scale, kernel_scale and outputs_grad_scale "
                f"(one number each) and their amax histories (the last 1,024 absolute maxima) set the float8 "
                f"scaling of inputs, kernel and gradients: Keras counts these 3,075 numbers as trainable weights")
    what = "per unit" if name == "kernel" else "per row"
    packed = "two 4-bit values per int8 along the last axis, " if mode == "int4" else ""
    return (f"{mode} quantization: the {name} ({' × '.join(map(str, shape))} = {size:,} values) is stored as int8 "
            f"({packed}non-trainable), with float scales ({what}, or per block of inputs with a zero point and "
            f"g_idx, the block of each input) to turn it back into floats; only the float weights train")


def quantize_model(model, mode=None, config=None, filters=None, **kwargs):
    """``model.quantize(mode)``: every Dense and Embedding (at any depth) quantized."""
    from ..engine import Layer

    _check_mode(mode, config)
    if not model.built:
        raise ArgumentError(f"Cannot quantize a model that isn't yet built. Model '{model.name}' is not built yet.")
    done = set()
    stack = list(getattr(model, "layers", []))
    found = False
    while stack:
        layer = stack.pop(0)
        if id(layer) in done or not isinstance(layer, Layer):
            continue
        done.add(id(layer))
        if isinstance(layer, QuantMixin):
            layer.quantize(mode, config=config)
            found = True
        elif type(layer).__name__ == "EinsumDense":
            raise ArgumentError("shapewise does not model the quantization of EinsumDense yet (its scales follow "
                                "the einsum equation's reduced axes)", layer=layer.name, layer_type="EinsumDense")
        stack.extend(getattr(layer, "layers", []) or [])
        stack.extend(layer._sublayers)
    if not found:
        raise ArgumentError("No quantizable layers were found in the model. Quantization is supported for Dense, "
                            "EinsumDense and Embedding layers.")

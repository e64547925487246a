"""Quantization of Dense, EinsumDense, Embedding and ReversibleEmbedding, as Keras 3.15.1 does it (a ``dtype="int8_from_float32"``
policy at construction, or ``layer.quantize(mode)`` / ``model.quantize(mode)`` on a built model).

- ``int8``: the matrix is stored as int8 (non-trainable) with float scales: one per output unit of a Dense
  (``kernel_scale`` (units,)), one per row of an Embedding (``embeddings_scale`` (input_dim,)); an EinsumDense's
  ``kernel_scale`` has the kernel's shape with its contracted axes set to 1, laid out as the output's axes. The
  bias stays float and trainable.
- ``int4``: two 4-bit values packed in each int8 along the last axis (an EinsumDense's kernel first flattened to
  (contracted, other) = (rows, columns)). Per-channel (``int4_from_*``, ``int4/-1_from_*``, a config with
  ``block_size=None``): one scale per output unit; in blocks (``quantize("int4")``'s default ``block_size=128``,
  ``int4/<block>_from_*``): a scale and a zero point per block of inputs and unit, and ``g_idx``, the block of
  each input.
- ReversibleEmbedding (int8 and int4 only, like Embedding): its table as an Embedding's; with ``tie_weights=False``
  its reverse table (output_dim, input_dim) too: ``reverse_embeddings`` in int8 (int4: two values per int8 along
  output_dim, (ceil(output_dim / 2), input_dim)) and ``reverse_embeddings_scale``, one per token, or in blocks a
  scale and a ``reverse_embeddings_zero`` (float32, where the table's zero point is int8) per block of output_dim and
  token, (blocks, input_dim). A tied layer's reverse projection reuses the quantized table and its scales.
- ``float8``: the matrix stays float; the layer keeps a scale and a history of the last 1,024 absolute maxima for
  its inputs, its kernel and its output gradients (six more weights, trainable in Keras's count). Embedding has
  no float8 form (Keras raises; ``model.quantize("float8")`` skips it).
- ``gptq`` / ``awq`` (``gptq/<bits>/<group>_from_*``, ``awq/4/<group>_from_*``, or ``quantize`` with a
  ``GPTQConfig`` / ``AWQConfig``): the kernel transposed to (columns, rows) in uint8 (two 4-bit values per byte
  at 4 bits), a scale and a zero point per column and group of rows, ``g_idx``, and for AWQ per-row
  ``awq_scales``. ``quantize`` creates them beside the float kernel, which stays until calibration on data
  replaces it; Dense and EinsumDense only.

A policy ``<mode>_from_<source>`` computes in the source policy's dtype (``mixed_bfloat16`` computes in bfloat16).
Each stored weight keeps its dtype (int8 / uint8 tables and zero points, float32 g_idx, the rest the source's
variable dtype), which is what the summary's byte sizes count. ``model.quantize(mode, filters=...)`` quantizes the
leaves (layers without sublayers) whose name a regex (or one of a list) finds, or for which a function of the layer
is true; ``layer.dtype_policy = "<mode>_from_<source>"`` quantizes a built layer at once (``quantize(mode)`` with the
default config) and makes an unbuilt one build quantized.
"""

from __future__ import annotations

import math
import re
from typing import NamedTuple

from ..dims import Known, product
from ..engine import Weight
from ..errors import ArgumentError, RefusedError, ShapewiseError

MODES = ("int8", "float8", "int4", "gptq", "awq")
_AMAX_HISTORY = 1024


class Policy(NamedTuple):
    """A quantized dtype policy: its mode, compute and variable dtypes, and its mode's settings."""

    mode: str
    compute: str
    variable: str
    block_size: int | None = None  # int4: None = one scale per unit
    weight_bits: int | None = None  # gptq / awq
    group_size: int | None = None


class NotQuantizable(ArgumentError):
    """Keras's NotImplementedError for a mode a layer has no form of (``model.quantize`` warns and skips it)."""


def _policy_error(message, layer_type, expected=None):
    return ArgumentError(message, layer_type=layer_type, expected=expected)


def parse_policy(layer_type, dtype):
    """The Policy of a quantized dtype policy name, or None for a plain one; Keras's errors for a bad name."""
    if not isinstance(dtype, str) or not dtype.startswith(MODES):
        return None
    parts = dtype.split("_from_")
    if len(parts) != 2:
        raise _policy_error("Cannot convert `policy` into a valid pair (`mode`, `source_name`) to instantiate "
                            f"`QuantizedDTypePolicy`. Received: policy={dtype}", layer_type,
                            "'<mode>_from_<source>', e.g. 'int8_from_float32'")
    mode, source = parts
    compute = source.removeprefix("mixed_")
    variable = "float32" if source.startswith("mixed_") else source
    base = mode.split("/")[0]
    if base == "int4" and "/" in mode:
        return Policy("int4", compute, variable, block_size=_int4_block(mode, layer_type))
    if base in ("gptq", "awq"):
        bits, group = _calibrated_mode(base, mode, layer_type)
        return Policy(base, compute, variable, weight_bits=bits, group_size=group)
    if mode not in MODES:
        raise _policy_error(f"Invalid quantization mode. Expected one of {MODES}. Received: mode={mode}", layer_type)
    return Policy(mode, compute, variable)


def _int4_block(mode, layer_type):
    parts = mode.split("/")
    expected = "'int4/<block_size>'"
    if len(parts) != 2 or parts[0] != "int4":
        raise _policy_error(f"Invalid mode for Int4DTypePolicy. Expected format {expected}, but got '{mode}'.",
                            layer_type, expected)
    try:
        block = int(parts[1])
    except ValueError:
        raise _policy_error(f"Invalid mode for Int4DTypePolicy. <block_size> must be an integer. Expected format "
                            f"{expected}, but got '{mode}'.", layer_type, expected) from None
    if block < -1 or block == 0:
        raise _policy_error(f"Invalid block_size in mode. Supported values are -1 (per-channel) or a positive "
                            f"integer (sub-channel), but got {block} from '{mode}'.", layer_type, expected)
    return None if block == -1 else block


def _calibrated_mode(base, mode, layer_type):
    parts = mode.split("/")
    name = "GPTQDTypePolicy" if base == "gptq" else "AWQDTypePolicy"
    expected = f"'{base}/<weight_bits>/<group_size>'"
    if len(parts) != 3 or parts[0] != base:
        raise _policy_error(f"Invalid mode for {name}. Expected format {expected}, but got '{mode}'.", layer_type,
                            expected + ", e.g. '" + base + "/4/128_from_float32'")
    try:
        bits, group = int(parts[1]), int(parts[2])
    except ValueError:
        raise _policy_error(f"Invalid mode for {name}. <weight_bits> and <group_size> must be integers. Expected "
                            f"format {expected}, but got '{mode}'.", layer_type, expected) from None
    if base == "gptq" and bits not in (2, 3, 4, 8):
        raise _policy_error(f"Invalid weight_bits in mode. Supported values are 2, 3, 4, and 8, but got {bits} from "
                            f"'{mode}'.", layer_type, "weight_bits 2, 3, 4 or 8")
    if base == "awq" and bits != 4:
        raise _policy_error(f"Invalid weight_bits in mode. AWQ only supports 4-bit quantization, but got {bits} from "
                            f"'{mode}'.", layer_type, "weight_bits 4")
    if group < -1 or group == 0:
        what = "whole-tensor" if base == "gptq" else "per-channel"
        raise _policy_error(f"Invalid group_size in mode. Supported values are -1 ({what}) or a positive integer, "
                            f"but got {group} from '{mode}'.", layer_type, "-1 or a positive group size")
    return bits, group


# --------------------------------------------------------------------------------------------------------------
# The weights each layer kind creates


def _kind(layer):
    return {"kernel": "einsum" if hasattr(layer, "equation") else "dense"}.get(layer._lora_base, "embedding")


def _groups(rows, group, role="block_size"):
    """The number of groups of ``group`` rows (one for -1 / None)."""
    if group is None or group == -1:
        return Known(1)
    return rows.ceildiv(Known(group, role))


def quantized_weights(layer, policy, logical):
    """(name, dims) of the non-float weights a ``policy`` gives a layer whose float matrix is ``logical``, in
    Keras's creation order. float8's six come from _float8()."""
    kind, mode = _kind(layer), policy.mode
    name = layer._lora_base
    if kind == "embedding" and mode not in ("int8", "int4"):
        raise NotQuantizable(f"Invalid quantization mode. Expected one of ('int8', 'int4'). Received: "
                             f"quantization_mode={mode}", layer=layer.name, layer_type=type(layer).__name__,
                             expected="an int8 or int4 quantization of an Embedding",
                             fix="Keras 3.15.1 quantizes an Embedding only to int8 or int4")
    if mode in ("gptq", "awq"):
        return _calibrated(layer, policy, logical)
    if kind == "einsum":
        return _einsum_quantized(layer, policy, logical)
    rows, cols = logical  # Dense: (features, units); Embedding: (input_dim, output_dim)
    packed = (cols + 1) // 2 if mode == "int4" else cols
    if kind == "embedding":
        if mode == "int4" and policy.block_size:
            groups = _groups(cols, policy.block_size)
            out = [(name, (rows, packed)), ("embeddings_scale", (rows, groups)),
                   ("embeddings_zero", (rows, groups)), ("g_idx", (cols,))]
        else:
            out = [(name, (rows, packed)), ("embeddings_scale", (rows,))]
        return out + _reverse_table(layer, policy, rows, cols)
    if mode == "int4" and policy.block_size:
        groups = _groups(rows, policy.block_size)
        return [("kernel", (rows, packed)), ("kernel_scale", (groups, cols)), ("kernel_zero", (groups, cols)),
                ("g_idx", (rows,))]
    return [("kernel", (rows, packed)), ("kernel_scale", (cols,))]


def _reverse_table(layer, policy, vocab, dim):
    """An untied ReversibleEmbedding's reverse table (output_dim, input_dim), quantized along output_dim: Keras's
    ReversibleEmbedding._int8_build / _int4_build."""
    if getattr(layer, "tie_weights", True):
        return []
    if policy.mode == "int8":
        return [("reverse_embeddings", (dim, vocab)), ("reverse_embeddings_scale", (vocab,))]
    packed = (dim + 1) // 2
    if policy.block_size:
        groups = _groups(dim, policy.block_size)
        return [("reverse_embeddings", (packed, vocab)), ("reverse_embeddings_scale", (groups, vocab)),
                ("reverse_embeddings_zero", (groups, vocab))]
    return [("reverse_embeddings", (packed, vocab)), ("reverse_embeddings_scale", (vocab,))]


def _calibrated(layer, policy, logical):
    """GPTQ / AWQ: the kernel as (columns, rows) uint8, scales and zero points per column and group of rows."""
    kind, mode = _kind(layer), policy.mode
    if kind == "dense":
        rows, cols = logical
        zero = "kernel_zero"
    else:
        zero = "zero_point"
        if len(logical) == 2:
            rows, cols = logical
        elif len(logical) == 3:
            values = [d.value or 0 for d in logical]
            if values.index(max(values)) == 0:  # a QKV projection (features, heads, head_dim)
                rows, cols = logical[0], logical[1] * logical[2]
            else:  # an attention output (heads, head_dim, features)
                rows, cols = logical[0] * logical[1], logical[2]
        else:
            raise ArgumentError(f"{mode.upper()} quantization only supports 2D or 3D kernels; this EinsumDense's "
                                f"kernel has shape {tuple(d.value for d in logical)} (equation "
                                f"'{layer.equation}'). Keras 3.15.1 fails here"
                                + (" (UnboundLocalError: 'rows')" if mode == "gptq" else ""),
                                layer=layer.name, layer_type="EinsumDense",
                                expected="an equation whose kernel has 2 or 3 axes",
                                fix="quantize this layer to int8 or int4 instead")
    if kind == "einsum":
        _einsum_letters(layer)  # Keras analyses the equation for quantization next (and fails on '...')
    packed = (cols + 1) // 2 if policy.weight_bits == 4 else cols
    groups = _groups(rows, policy.group_size, "group_size")
    out = [("kernel", (packed, rows)), ("kernel_scale", (cols, groups)), (zero, (cols, groups))]
    if mode == "awq":
        out.append(("awq_scales", (rows,)))
    return out + [("g_idx", (rows,))]


# EinsumDense: Keras's _analyze_quantization_info and _get_kernel_scale_shape, step by step (with their quirks:
# the ``index`` of the last loop reused where a contracted axis has no expanded one to take its place).


def _einsum_letters(layer):
    equation = layer.equation
    m = re.match("([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)", re.sub(r"\.\.\.", "0", equation))
    if m is None:
        # Keras passes the input's rank where its analysis wants a shape: any equation with "..." fails
        raise ArgumentError(f"Keras 3.15.1 cannot quantize an EinsumDense whose equation has '...' to int8, int4, "
                            f"GPTQ or AWQ (equation '{equation}': its quantization analysis fails with "
                            f"\"TypeError: object of type 'int' has no len()\")", layer=layer.name,
                            layer_type="EinsumDense", expected="an equation without '...'",
                            fix="write the axes out (e.g. 'abc,cd->abd' for '...c,cd->...d'), or use float8")
    return m.group(1), m.group(2), m.group(3)


def _einsum_quant_info(layer):
    input_spec, weight_spec, output_spec = _einsum_letters(layer)
    index = None
    input_reduced, weight_reduced = [], []
    for i, label in enumerate(input_spec):
        index = output_spec.find(label)
        if index == -1:
            input_reduced.append(i)
    for i, label in enumerate(weight_spec):
        index = output_spec.find(label)
        if index == -1:
            weight_reduced.append(i)
    input_expand, weight_expand = [], []
    for i, label in enumerate(output_spec):
        if input_spec.find(label) == -1:
            input_expand.append(i)
        if weight_spec.find(label) == -1:
            weight_expand.append(i)
    input_transpose, weight_transpose = [], []
    for label in output_spec:
        if input_spec.find(label) != -1:
            input_transpose.append(input_spec.find(label))
        if weight_spec.find(label) != -1:
            weight_transpose.append(weight_spec.find(label))
    weight_squeeze = []
    for ori in input_reduced:
        if input_expand:
            index = input_expand.pop(0)
        input_transpose.insert(index, ori)
    for ori in weight_reduced:
        if weight_expand:
            index = weight_expand.pop(0)
        else:
            weight_squeeze.append(ori)
        weight_transpose.insert(index, ori)
    return weight_reduced, weight_transpose, weight_expand, weight_squeeze


def _einsum_quantized(layer, policy, logical):
    reduced, transpose, expand, squeeze = _einsum_quant_info(layer)
    if policy.mode == "int4":
        rows = product([d for i, d in enumerate(logical) if i in reduced]) if reduced else Known(1)
        cols = product([d for i, d in enumerate(logical) if i not in reduced]) if len(reduced) < len(logical) \
            else Known(1)
        out = [("kernel", (rows, (cols + 1) // 2))]
        if policy.block_size:
            groups = _groups(rows, policy.block_size)
            return out + [("kernel_scale", (groups, cols)), ("kernel_zero", (groups, cols)), ("g_idx", (rows,))]
        return out + [("kernel_scale", (cols,))]
    # int8: the kernel's shape with the contracted axes set to 1, transposed to the output's order
    scale = [Known(1) if i in reduced else d for i, d in enumerate(logical)]
    scale = [scale[a] for a in transpose]
    for a in sorted(expand):
        scale.insert(a, Known(1))
    built = list(scale)
    for a in sorted(squeeze, reverse=True):
        built.pop(a)
    layer._int8_scale_fits = _squeezed(scale, squeeze) == [d.value for d in built]
    return [("kernel", tuple(logical)), ("kernel_scale", tuple(built))]


def _squeezed(scale, squeeze):
    """The shape ``quantize("int8")``'s computed scale has after torch's squeeze (a no-op on an axis not of 1)."""
    values = [d.value for d in scale]
    for a in sorted(squeeze, reverse=True):
        if a < len(values) and values[a] == 1:
            values.pop(a)
    return values


_INT8_STORED = frozenset({"kernel", "embeddings", "reverse_embeddings", "kernel_zero", "embeddings_zero"})
_UINT8_STORED = frozenset({"kernel", "kernel_zero", "zero_point"})


def stored_dtype(mode, name):
    """The dtype Keras creates a quantized weight with, where it is not the layer's variable dtype (the scales, the
    bias and reverse_embeddings_zero are): int8 tables and zero points, GPTQ/AWQ's uint8, g_idx always float32."""
    if name == "g_idx":
        return "float32"
    if mode in ("int8", "int4") and name in _INT8_STORED:
        return "int8"
    if mode in ("gptq", "awq") and name in _UINT8_STORED:
        return "uint8"
    return None


def _float8():
    history = Known(_AMAX_HISTORY, "amax_history_length")
    out = []
    for what in ("inputs", "kernel", "outputs_grad"):
        out += [(f"{what}_scale", ()), (f"{what}_amax_history", (history,))]
    return out


# --------------------------------------------------------------------------------------------------------------
# The layer side


class DTypePolicyView:
    """What ``layer.dtype_policy`` gives: the policy's name and quantization mode."""

    __slots__ = ("name", "quantization_mode")

    def __init__(self, name, quantization_mode):
        self.name = name
        self.quantization_mode = quantization_mode

    def __repr__(self):
        mode = self.quantization_mode
        kind = ("DTypePolicy" if mode is None else "Int4DTypePolicy" if mode == "int4" and "/" in self.name
                else {"float8": "QuantizedFloat8DTypePolicy", "gptq": "GPTQDTypePolicy",
                      "awq": "AWQDTypePolicy"}.get(mode, "QuantizedDTypePolicy"))
        return f'<{kind} "{self.name}">'


class QuantMixin:
    """What Dense, EinsumDense and Embedding add for quantization: the policy's compute dtype and
    ``quantize(mode)``."""

    quantization_mode = None
    _compute = None
    _policy = None

    def _init_quant(self, quantization_config=None):
        from ..keras.quantizers import QuantizationConfig

        if quantization_config is not None and not isinstance(quantization_config, QuantizationConfig):
            raise ArgumentError(f"Argument `quantization_config` must be a keras.quantizers config. Received: "
                                f"quantization_config={quantization_config!r}", layer_type=type(self).__name__)
        self.quantization_config = quantization_config
        self._set_policy()

    def _set_policy(self):
        """The layer's quantized policy (its ``dtype``) read: the mode and dtypes its build uses."""
        policy = parse_policy(type(self).__name__, self.dtype)
        self._policy = policy
        if policy is not None:
            self.quantization_mode = policy.mode
            self._compute = policy.compute
            self._variable_dtype = policy.variable
            if self.lora_rank and policy.mode == "gptq":
                raise ArgumentError("lora is not currently supported with GPTQ quantization.",
                                    layer_type=type(self).__name__, fix="leave out lora_rank=, or use int8/int4")
            if self.lora_rank and policy.mode == "awq":
                raise ArgumentError("Keras 3.15.1 cannot build a layer with LoRA and an AWQ policy (it fails with "
                                    "AttributeError: 'NoneType' object has no attribute 'shape')",
                                    layer_type=type(self).__name__, fix="leave out lora_rank=, or use int8/int4")

    @property
    def compute_dtype(self):
        return self._compute or super().compute_dtype

    @property
    def dtype_policy(self):
        return DTypePolicyView(self.dtype, self.quantization_mode)

    @dtype_policy.setter
    def dtype_policy(self, value):
        """``layer.dtype_policy = "int8_from_float32"``: Keras sets the policy and, on a built layer not quantized
        yet, quantizes it at once with the mode's default config (``int4`` then in blocks of 128, whatever the
        policy's block size); an unbuilt layer builds quantized later."""
        from ..engine import _dtype_name

        name = value.name if isinstance(value, DTypePolicyView) else value
        layer_type = type(self).__name__
        if not isinstance(name, str):
            name = _dtype_name(name)
        policy = parse_policy(layer_type, name)
        if policy is None:
            if self.quantization_mode is not None:
                raise RefusedError(f"setting dtype_policy={name!r} on the quantized layer '{self.name}': Keras then "
                                   f"treats it as a float layer while its weights stay quantized",
                                   layer=self.name, layer_type=layer_type,
                                   fix="set the policy before the layer is quantized or built")
            self.dtype = _dtype_name(name)
            return
        if self.built and self.quantization_mode is None:
            if policy.mode == "gptq":
                raise ArgumentError(f"Implicitly enabling GPTQ quantization by setting `dtype_policy` to '{name}' is "
                                    "not supported. GPTQ requires a calibration dataset and a `GPTQConfig` object.\n\n"
                                    "Please use the `.quantize('gptq', config=...)` method on the layer or model "
                                    "instead.", layer=self.name, layer_type=layer_type)
            self._compute, self._variable_dtype = policy.compute, policy.variable  # (Keras sets the policy first)
            try:
                self.quantize(policy.mode)
            except ShapewiseError:
                self._compute = self._variable_dtype = None
                raise
            self.dtype = name
        elif self.built:
            self.dtype = name  # Keras only renames the policy of a quantized layer
        else:
            self.dtype = name
            self._set_policy()

    def _build_policy(self):
        """The policy the layer's build() creates weights with: a constructor's quantization_config sets int4's
        block size and GPTQ's bits and group."""
        policy, config = self._policy, self.quantization_config
        if policy.mode == "int4" and getattr(config, "mode", None) == "int4":
            block = config.block_size
            return policy._replace(block_size=None if block in (None, -1) else block)
        if policy.mode == "gptq" and getattr(config, "mode", None) == "gptq":
            return policy._replace(weight_bits=config.weight_bits, group_size=config.group_size)
        return policy

    def quantize(self, mode=None, type_check=True, config=None):
        """``layer.quantize(mode)`` on a built layer: its matrix replaced by the quantized one and its scales."""
        from ..keras.quantizers import resolve_config

        layer_type = type(self).__name__
        config = resolve_config(mode, config)
        mode = config.mode
        if not self.built:
            raise ArgumentError(f"Cannot quantize a layer that isn't yet built. Layer '{self.name}' (of type "
                                f"'{layer_type}') is not built yet.", layer=self.name, layer_type=layer_type,
                                fix="call the layer (or build the model) before quantizing it")
        if self.quantization_mode is not None:
            raise ArgumentError(f"Layer '{self.name}' is already quantized with dtype_policy="
                                f"'{self.dtype}'. Received: mode={mode}", layer=self.name, layer_type=layer_type)
        if mode == "int8" and self.compute_dtype == "float16":
            raise ArgumentError(f"Quantization mode='{mode}' doesn't work well with compute_dtype='float16'. "
                                "Consider loading model/layer with another dtype policy such as 'mixed_bfloat16' "
                                "or 'mixed_float16' before calling `quantize()`.", layer=self.name,
                                layer_type=layer_type)
        if type_check and type(self).__name__ not in ("Dense", "EinsumDense", "Embedding", "ReversibleEmbedding"):
            raise NotQuantizable(f"Layer {layer_type} does not have a `quantize()` method implemented.",
                                 layer=self.name, layer_type=layer_type)
        base = next(w for w in self._weights if w.name == self._lora_base)
        logical = getattr(self, "_logical_dims", None) or base.dims
        _check_weight_quantizer(self, mode, config, len(logical))
        policy = Policy(mode, self.compute_dtype, getattr(self, "_variable_dtype", None) or self.dtype)
        if mode == "int4":
            block = config.block_size
            policy = policy._replace(block_size=None if block in (None, -1) else block)
            name = f"int4/{-1 if block is None else block}"
        elif mode in ("gptq", "awq"):
            policy = policy._replace(weight_bits=config.weight_bits, group_size=config.group_size)
            name = config.dtype_policy_string()
        else:
            name = mode
        weights = list(self._weights)
        if mode == "float8":
            if _kind(self) == "embedding":
                quantized_weights(self, policy, logical)  # raises: Embedding has no float8 form
            added = [Weight(n, dims, True, self) for n, dims in _float8()]
        else:
            new = quantized_weights(self, policy, logical)
            if mode == "int8" and _kind(self) == "einsum" and not self._int8_scale_fits:
                raise ArgumentError(
                    f"Keras 3.15.1 cannot quantize this EinsumDense to int8 (equation '{self.equation}'): the scale "
                    f"it computes does not fit the kernel_scale weight it creates "
                    f"{tuple(d.value for d in new[1][1])} (ValueError: the shape of the target variable and the "
                    f"shape of the target value in `variable.assign(value)` must match)", layer=self.name,
                    layer_type="EinsumDense", fix="quantize it to int4 or float8, or build it with "
                                                  "dtype='int8_from_float32'")
            if mode in ("int8", "int4"):
                # the float matrix (and an untied ReversibleEmbedding's float reverse table) is replaced
                replaced = {base.name} | {n for n, _ in new if n == "reverse_embeddings"}
                weights = [w for w in weights if w.name not in replaced]
            added = [Weight(n, dims, False, self, dtype=stored_dtype(mode, n)) for n, dims in new]
        self.lora_keeps_order = mode == "float8" and self.lora_enabled
        self._weights = weights + added
        self.quantization_mode = mode
        self._policy = policy
        self.quantization_config = config
        self._logical_dims = logical
        self._compute = self.compute_dtype
        self._variable_dtype = policy.variable
        self.dtype = f"{name}_from_{self.dtype}"
        ctx = self._build_ctx
        if ctx is not None:
            ctx.weights = self._weights
            ctx.formula(sum((product(w.dims) for w in self._weights[1:]), product(self._weights[0].dims)))
            ctx.note(_note, self._lora_base, mode, tuple(d.value for d in logical), bool(policy.block_size),
                     mode in ("gptq", "awq"), _reverse_kind(self))


def _check_weight_quantizer(layer, mode, config, rank):
    """A config's own weight_quantizer replaces Keras's default one (Dense: AbsMaxQuantizer(axis=0), one scale per
    unit; Embedding: axis=-1, one per row). Keras then assigns the scales it computes to the scale weight, which
    fails where the axis gives another shape; an untied ReversibleEmbedding quantizes its reverse table with the
    same quantizer, which never fits both tables."""
    quantizer = getattr(config, "weight_quantizer", None)
    kind = _kind(layer)
    if quantizer is None or mode not in ("int8", "int4") or (kind == "einsum" and mode == "int4"):
        return  # (an EinsumDense's int4 scales do not follow the quantizer's axis)
    axis = getattr(quantizer, "axis", None)
    untied = kind == "embedding" and not getattr(layer, "tie_weights", True)
    if isinstance(axis, int):
        axis = (axis,)
    if kind == "einsum":
        # int8: the scale must be the kernel reduced over its contracted axes (Keras's default axis)
        reduced = tuple(sorted(_einsum_quant_info(layer)[0]))
        given = None if axis is None else tuple(sorted(a % rank for a in axis))
        fits = given == reduced or (axis is None and len(reduced) == rank)
        needed = f"axis={reduced if len(reduced) != 1 else reduced[0]} (the kernel's contracted axes)"
    elif kind == "dense":
        fits, needed = axis in ((0,), (-2,)), "axis=0 (one scale per output unit)"
    else:
        fits, needed = axis in ((-1,), (1,), None) and not untied, "axis=-1 (one scale per row)"
    if fits:
        return
    shown = axis[0] if axis is not None and len(axis) == 1 else axis
    what = ("the reverse table (tie_weights=False) is quantized with the same quantizer, and no axis fits both "
            "tables" if untied and axis in ((-1,), (1,), None) else
            f"AbsMaxQuantizer(axis={shown}) gives scales of another shape than the {layer._lora_base}'s scale weight")
    raise ArgumentError(f"Keras 3.15.1 fails to quantize this {type(layer).__name__} with the config's "
                        f"weight_quantizer: {what} (ValueError: The shape of the target variable and the shape of the "
                        f"target value in `variable.assign(value)` must match)", layer=layer.name,
                        layer_type=type(layer).__name__, expected=f"a weight_quantizer with {needed}" if not untied
                        else "no custom weight_quantizer on an untied ReversibleEmbedding",
                        fix="leave weight_quantizer out (Keras's default fits)" if untied else
                        f"use keras.quantizers.AbsMaxQuantizer({needed.split(' ')[0]}, ...)")


def declare(ctx, layer, logical, bias=None):
    """In the rule of a layer built with a quantized policy: its weights in Keras's order (float8's six first,
    then the float matrix and bias; the others: the stored matrix and its scales, then the bias)."""
    policy = layer._build_policy()
    layer._logical_dims = logical
    if policy.mode == "float8":
        if _kind(layer) == "embedding":
            try:
                quantized_weights(layer, policy, logical)
            except NotQuantizable as e:
                ctx.fail(e.message, expected="an int8 or int4 policy", fix="use dtype='int8_from_float32'")
        for name, dims in _float8():
            ctx.weight(name, dims)
        ctx.weight(layer._lora_base, logical)
        if bias is not None:
            ctx.weight("bias", bias)
    else:
        try:
            new = quantized_weights(layer, policy, logical)
        except ArgumentError as e:
            ctx.fail(e.message, expected=e.expected or "a layer Keras can quantize this way", fix=e.fix)
        for name, dims in new:
            ctx.weight(name, dims, trainable=False, dtype=stored_dtype(policy.mode, name))
        if bias is not None:
            ctx.weight("bias", bias)
    ctx.formula(sum((product(w.dims) for w in ctx.weights[1:]), product(ctx.weights[0].dims)))
    ctx.note(_note, layer._lora_base, policy.mode, tuple(d.value for d in logical), bool(policy.block_size),
             False, _reverse_kind(layer))


def _reverse_kind(layer):
    """For a ReversibleEmbedding's explanation: "tied" or "untied"; None for any other layer."""
    if not hasattr(layer, "tie_weights"):
        return None
    return "tied" if layer.tie_weights else "untied"


def _note(name, mode, shape, blocks=False, beside=False, reverse=None):
    size = math.prod(shape)
    if mode == "float8":
        return (f"float8 quantization: the {name} stays float32; inputs_scale, kernel_scale and outputs_grad_scale "
                f"(one number each) and their amax histories (the last 1,024 absolute maxima) set the float8 "
                f"scaling of inputs, kernel and gradients: Keras counts these 3,075 numbers as trainable weights")
    shape_text = f"{' × '.join(map(str, shape))} = {size:,} values"
    if mode in ("gptq", "awq"):
        extra = "; awq_scales, one per input row, undo the activation-aware scaling" if mode == "awq" else ""
        where = (f"beside the float {name}, which stays (trainable) until calibration on data replaces it"
                 if beside else "non-trainable")
        return (f"{mode.upper()} quantization: the {name} ({shape_text}) is stored transposed as uint8 (two 4-bit "
                f"values per byte at 4 bits), {where}; kernel_scale and the zero point hold one float and one "
                f"offset per output column and group of input rows, g_idx the group of each row{extra}")
    what = ("a scale and a zero point per block of inputs and output, and g_idx, the block of each input"
            if blocks else ("one float scale per row" if name == "embeddings" else "one float scale per output unit"))
    packed = "two 4-bit values per int8 along the last axis, " if mode == "int4" else ""
    text = (f"{mode} quantization: the {name} ({shape_text}) is stored as int8 ({packed}non-trainable), with "
            f"{what} to turn it back into floats; only the float weights train")
    if reverse == "tied":
        text += (f"; reverse=True (tie_weights=True) projects with this quantized table transposed and the same "
                 f"scales")
    elif reverse == "untied":
        vocab, dim = shape
        if mode == "int8":
            how = f"as int8 ({dim} × {vocab}), with reverse_embeddings_scale, one float scale per token"
        elif blocks:
            how = (f"as int8 with two 4-bit values per byte along output_dim ({(dim + 1) // 2} × {vocab}), with "
                   f"reverse_embeddings_scale and reverse_embeddings_zero (a float32 zero point, where the table's "
                   f"is int8) per block of output_dim and token")
        else:
            how = (f"as int8 with two 4-bit values per byte along output_dim ({(dim + 1) // 2} × {vocab}), with "
                   f"reverse_embeddings_scale, one float scale per token")
        text += (f"; the separate reverse table (tie_weights=False) used by reverse=True, reverse_embeddings "
                 f"(output_dim × input_dim = {dim} × {vocab}), is quantized too: stored {how}")
    return text


def _replace_in_owners(layers, old, new):
    """A layer that lists a quantized sublayer's weights among its own (MultiHeadAttention's projections, a
    wrapper's layer) lists the new ones in their place (in place: its explanation holds the same list)."""
    ids = {id(w) for w in old}
    for layer in layers:
        weights = layer._weights
        if not weights or weights is new or not any(id(w) in ids for w in weights):
            continue
        at = next(i for i, w in enumerate(weights) if id(w) in ids)
        kept = [w for w in weights if id(w) not in ids]
        weights[:] = kept[:at] + list(new) + kept[at:]
        ctx = layer._build_ctx
        if ctx is not None:
            ctx.formula(sum((product(w.dims) for w in weights[1:]), product(weights[0].dims)))


def _children(layer):
    """The layers Keras's ``_flatten_layers`` descends into: a model's layers (its InputLayers included, ops
    outside any layer not), another layer's tracked sublayers."""
    from ..graph import Model

    if isinstance(layer, Model):
        return [op for op in getattr(layer, "_layers", None) or layer.layers if not getattr(op, "is_operation", False)]
    return list(layer._sublayers)


def _flatten_layers(model):
    """Keras's ``model._flatten_layers()``: the model, then depth first (each layer's children put in front, in
    reverse, as its deque's extendleft does), each layer once."""
    out, seen = [model], set()
    queue = list(_children(model))
    while queue:
        layer = queue.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        out.append(layer)
        queue[:0] = reversed(_children(layer))
    return out


#: a group holding a repeated item, itself repeated: ``(a+)+``, ``(\w*)*`` (exponential backtracking in Python's re)
_NESTED_REPEAT = re.compile(r"\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)[*+{]")


def _filter_pattern(pattern):
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str):
        raise ArgumentError(f"model.quantize(filters=...): each regex must be a string; got "
                            f"{type(pattern).__name__} {pattern!r} (Keras fails in re.search: TypeError: first "
                            f"argument must be string or compiled pattern)",
                            expected="a regex string matched against each layer's name, or a list of them")
    if len(pattern) > 500 or _NESTED_REPEAT.search(pattern):
        raise RefusedError(f"model.quantize(filters={pattern!r}): shapewise does not run a regex this long or with a "
                           f"repeated group that repeats inside (it can take exponential time)",
                           fix="write the layer names out, e.g. filters=['dense', 'dense_1'], or a simpler pattern")
    try:
        return re.compile(pattern)
    except re.error as e:
        raise ArgumentError(f"model.quantize(filters={pattern!r}) is not a valid regex: {e}",
                            expected="a regex matched against each layer's name with re.search") from None


def _filter(filters):
    """Keras's ``should_quantize_layer`` as a function of a layer: a regex (searched in the layer's name, not its
    path), a list or tuple of them (any matches), or a callable of the layer (its truth value)."""
    if filters is None:
        return lambda layer: True
    if isinstance(filters, (str, re.Pattern)):
        pattern = _filter_pattern(filters)
        return lambda layer: pattern.search(layer.name) is not None
    if isinstance(filters, (list, tuple)):
        patterns = [_filter_pattern(p) for p in filters]
        return lambda layer: any(p.search(layer.name) for p in patterns)
    if callable(filters):
        return lambda layer: _truth(filters(layer), filters)
    raise ArgumentError(f"The `filters` argument must be a regex string, a list of regex strings, or a callable. "
                        f"Received: {type(filters)}", expected="filters='dense', filters=['query', 'value'] or "
                                                              "filters=lambda layer: ...")


def _truth(value, function):
    if isinstance(value, (bool, int, float, str, list, tuple, dict)) or value is None:
        return bool(value)
    raise RefusedError(f"model.quantize(filters={function!r}): the function returned {value!r}, not a value "
                       f"shapewise can decide on without the data", expected="True or False for each layer",
                       fix="test the layer's name or class, e.g. filters=lambda layer: layer.name.startswith('dense')")


def quantize_model(model, mode=None, config=None, filters=None, **kwargs):
    """``model.quantize(mode)``: every Dense, EinsumDense, Embedding and ReversibleEmbedding (at any depth) that
    ``filters`` selects quantized; a layer with no form for the mode is skipped, as Keras skips it with a warning."""
    from ..keras.quantizers import resolve_config

    type_check = kwargs.pop("type_check", True)
    if kwargs:
        raise ArgumentError(f"Unrecognized keyword arguments passed to {type(model).__name__}: {kwargs}")
    # Keras wraps a model's quantize() as a layer's: the mode and config resolved, the model checked built, before
    # the filters are looked at
    config = resolve_config(mode, config)
    mode = config.mode
    if not model.built:
        raise ArgumentError(f"Cannot quantize a model that isn't yet built. Model '{model.name}' is not built yet.",
                            fix="give the model an Input or call it (or model.build(shape)) first")
    selects = _filter(filters)
    visited = _flatten_layers(model)
    # each selected leaf (a layer without sublayers) is quantized; the model's other layers are only visited
    leaves = [layer for layer in visited if selects(layer) and not _children(layer) and isinstance(layer, QuantMixin)]
    for layer in leaves:
        old = list(layer._weights or ())
        try:
            layer.quantize(mode, type_check=type_check, config=config)
        except NotQuantizable:
            continue
        _replace_in_owners(visited, old, layer._weights)
    if mode in ("gptq", "awq"):
        structure = config.quantization_layer_structure
        if structure is None:
            raise ArgumentError(
                f"For mode='{mode}', a valid quantization structure must be provided either via "
                "`config.quantization_layer_structure` or by overriding `model.get_quantization_layer_structure(mode)`."
                " The structure should be a dictionary with keys 'pre_block_layers' and 'sequential_blocks'.",
                expected="config=...(quantization_layer_structure={'pre_block_layers': [...], "
                         "'sequential_blocks': [...]})")
        if config.dataset is None or config.tokenizer is None:
            name = "GPTQConfig" if mode == "gptq" else "AWQConfig"
            raise ArgumentError(f"{mode.upper()} quantization requires a dataset and a tokenizer. Please provide them "
                                f"in the `{name}`.")
        raise ArgumentError(
            f"{mode.upper()} calibration runs the model on `config.dataset` (split into tokens by `config.tokenizer`) "
            "and replaces each calibrated layer's float kernel by the quantized one: shapewise does not run models on "
            "data", expected="Keras's calibration: real text data, a tokenizer and the model's weights",
            fix=f"see the weights {mode.upper()} creates with dtype='{mode}/4/128_from_float32' on the layers")

"""LoRA (low-rank adaptation) on Dense, EinsumDense and Embedding, as Keras 3 does it.

``lora_rank=r`` (or ``layer.enable_lora(r)`` on a built layer) freezes the layer's big matrix (the kernel, or the
embeddings table) and adds two small trainable ones: ``lora_kernel_a`` (the kernel's input axes × r) and
``lora_kernel_b`` (r × the kernel's last axis). The layer then computes with kernel + (lora_alpha / r)·a·b, so
training only updates a and b: r·(inputs + outputs) numbers instead of inputs·outputs. The total count goes up by
that much, the trainable count goes down by the frozen matrix's size.
"""

from __future__ import annotations

from ..compute import scaled
from ..dims import product
from ..engine import Weight
from ..errors import ArgumentError


class LoraMixin:
    """What a layer with LoRA support adds: ``enable_lora`` and Keras's weight order (the frozen matrix keeps its
    place: it was created trainable and made non-trainable after)."""

    lora_enabled = False
    #: the frozen matrix was created trainable, so Keras lists the weights in creation order (not trainable first)
    lora_keeps_order = True

    def _init_lora(self, lora_rank, lora_alpha, kernel_constraint=None):
        if lora_rank is not None and (isinstance(lora_rank, bool) or not isinstance(lora_rank, int)
                                      or lora_rank < 0):
            raise ArgumentError(f"`lora_rank` must be a positive integer. Received: lora_rank={lora_rank!r}",
                                layer_type=type(self).__name__)
        self.lora_rank = lora_rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else lora_rank
        self._kernel_constraint = kernel_constraint

    @property
    def weights(self):
        if self.lora_enabled and self._weights and self.lora_keeps_order:
            return list(self._weights)  # creation order: the frozen matrix was created trainable
        return super().weights

    def enable_lora(self, rank, lora_alpha=None, a_initializer="he_uniform", b_initializer="zeros"):
        """``layer.enable_lora(rank)`` on a built layer: its matrix frozen, lora_*_a and lora_*_b added."""
        self._check_lora()
        if not self.built:
            raise ArgumentError("Cannot enable lora on a layer that isn't yet built.", layer=self.name,
                                layer_type=type(self).__name__,
                                fix="call the layer (or build the model) first, or pass lora_rank= to the "
                                    "constructor")
        self.lora_rank = rank
        self.lora_alpha = lora_alpha if lora_alpha is not None else rank
        ctx = self._build_ctx
        base = next(w for w in self._weights if w.name == self._lora_base)
        a, b = _lora_shapes(base, rank, getattr(self, "_logical_dims", None))
        # (Keras creates the adapters in float32 whatever the layer's dtype)
        self._weights = [*self._weights, Weight(f"lora_{self._lora_base}_a", a, True, self, dtype="float32"),
                         Weight(f"lora_{self._lora_base}_b", b, True, self, dtype="float32")]
        self.lora_keeps_order = base.declared_trainable
        base.declared_trainable = False
        self.lora_enabled = True
        if ctx is not None:
            ctx.weights = self._weights
            _explain(ctx, self, base, rank)

    def lora_compute(self, c):
        """The forward's extra matmul with LoRA: Keras rebuilds the matrix as base + (alpha/rank)·a·b each call."""
        if not self.lora_enabled or not self._weights:
            return
        a = next((w for w in self._weights if w.name == f"lora_{self._lora_base}_a"), None)
        b = next((w for w in self._weights if w.name == f"lora_{self._lora_base}_b"), None)
        if a is None or b is None:
            return
        c.macs(product(a.dims) * b.dims[-1], f"lora_{self._lora_base}_a × lora_{self._lora_base}_b")
        c.ops(scaled(2, b.dims[-1:] + a.dims[:-1]), "the scaled low-rank update added to the frozen matrix")

    def _check_lora(self):
        if self._kernel_constraint:
            raise ArgumentError("Lora is incompatible with kernel constraints. In order to enable lora on this "
                                "layer, remove the `kernel_constraint` argument.", layer_type=type(self).__name__)
        if self.lora_enabled:
            raise ArgumentError("lora is already enabled. This can only be done once per layer.",
                                layer=self.name, layer_type=type(self).__name__)
        if getattr(self, "quantization_mode", None) == "gptq":
            raise ArgumentError("lora is not currently supported with GPTQ quantization.", layer=self.name,
                                layer_type=type(self).__name__, fix="enable LoRA before quantizing, or use int8/int4")

    def _lora_build(self, ctx):
        """In the rule, after the weights: ``lora_rank`` given to the constructor enables LoRA as the layer is
        built (Keras's build() calls enable_lora)."""
        if not self.lora_rank or not ctx.building:
            return
        if not ctx.fresh:
            self._check_lora()
        base = next(w for w in ctx.weights if w.name == self._lora_base)
        a, b = _lora_shapes(base, ctx.const(self.lora_rank, "lora_rank"), getattr(self, "_logical_dims", None))
        ctx.weight(f"lora_{self._lora_base}_a", a, dtype="float32")
        ctx.weight(f"lora_{self._lora_base}_b", b, dtype="float32")
        keeps = base.declared_trainable
        base.declared_trainable = False
        if not ctx.fresh:
            self.lora_enabled = True
            self.lora_keeps_order = keeps
        _explain(ctx, self, base, self.lora_rank)


def _lora_shapes(base, rank, logical=None):
    from ..dims import Known

    rank = rank if not isinstance(rank, int) else Known(rank, "lora_rank")
    *inputs, last = logical or base.dims  # an int4 matrix is packed: the adapters follow its float shape
    return (*inputs, rank), (rank, last)


def _explain(ctx, layer, base, rank):
    ctx.formula(sum((product(w.dims) for w in ctx.weights[1:]), product(ctx.weights[0].dims)))
    logical = getattr(layer, "_logical_dims", None)
    shape = tuple(d.value for d in logical) if logical else base.shape
    ctx.note(_lora_note, layer._lora_base, shape, rank, layer.lora_alpha)


def _lora_note(name, shape, rank, alpha):
    inputs, last = shape[:-1], shape[-1]
    size = 1
    for d in inputs:
        size *= d
    return (f"LoRA, rank {rank}: the {name} ({' × '.join(map(str, shape))}) is frozen (non-trainable); "
            f"lora_{name}_a ({' × '.join(map(str, inputs))} × {rank}) and lora_{name}_b ({rank} × {last}) are the "
            f"trainable low-rank update, added as {name} + ({alpha}/{rank})·a·b: training updates "
            f"{rank * (size + last):,} numbers instead of {size * last:,}")

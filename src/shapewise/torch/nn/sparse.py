"""Embedding and EmbeddingBag: a table of ``num_embeddings × embedding_dim``; each integer index picks one row.

Embedding adds a last axis of ``embedding_dim`` to its (integer) input; EmbeddingBag sums or averages the rows
of each bag, (batch, bag) → (batch, embedding_dim).
"""

from __future__ import annotations

from ...errors import ArgumentError
from ._util import role, scalar_name
from .module import RuleModule, expect_tensor
from .parameter import param

_INT_TYPES = ("int64", "int32")


def _check_indices(ctx, x, op):
    if x.dtype not in _INT_TYPES:
        ctx.fail(f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; "
                 f"but got torch.{scalar_name(x.dtype)}Tensor instead (while checking arguments for {op})",
                 expected="integer token ids (torch.long)",
                 fix="an embedding looks up integer ids: make the input with torch.randint(0, num_embeddings, "
                     "shape) or convert it with .long()")


def _padding_idx(padding_idx, num_embeddings, kind):
    if padding_idx is None:
        return None
    if padding_idx > 0:
        if padding_idx >= num_embeddings:
            raise ArgumentError("Padding_idx must be within num_embeddings", layer_type=kind)
    elif padding_idx < 0:
        if padding_idx < -num_embeddings:
            raise ArgumentError("Padding_idx must be within num_embeddings", layer_type=kind)
        padding_idx = num_embeddings + padding_idx
    return padding_idx


class Embedding(RuleModule):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, max_norm=None, norm_type=2.0,
                 scale_grad_by_freq=False, sparse=False, _weight=None, _freeze=False, device=None, dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_idx(padding_idx, num_embeddings, "Embedding")
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.scale_grad_by_freq = scale_grad_by_freq
        self.sparse = sparse
        if _weight is None:
            self.weight = param(role(num_embeddings, "num_embeddings"), role(embedding_dim, "embedding_dim"),
                                requires_grad=not _freeze)
        else:
            from .parameter import Parameter
            if [d.value for d in _weight.spec.shape] != [num_embeddings, embedding_dim]:
                raise ArgumentError("Shape of weight does not match num_embeddings and embedding_dim",
                                    layer_type="Embedding")
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    @classmethod
    def from_pretrained(cls, embeddings, freeze=True, padding_idx=None, max_norm=None, norm_type=2.0,
                        scale_grad_by_freq=False, sparse=False):
        if embeddings.dim() != 2:
            raise ArgumentError("Embeddings parameter is expected to be 2-dimensional", layer_type="Embedding")
        rows, cols = embeddings.shape
        return cls(rows, cols, padding_idx, max_norm, norm_type, scale_grad_by_freq, sparse, embeddings, freeze)

    def extra_repr(self):
        s = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            s += f", padding_idx={self.padding_idx}"
        return s

    def infer(self, ctx, x):
        expect_tensor(x, "embedding")
        _check_indices(ctx, x, "embedding")
        high = ctx.highs[0] if getattr(ctx, "highs", None) else None
        if high is not None and high > self.num_embeddings:
            ctx.fail("index out of range in self", expected=f"token ids below num_embeddings={self.num_embeddings}",
                     fix=f"the ids go up to {high - 1} but the table has {self.num_embeddings} rows: use "
                         f"nn.Embedding({high}, {self.embedding_dim}) (the vocabulary size), or keep the ids below "
                         f"{self.num_embeddings}")
        if x.rank == 2:
            ctx.bind(x, "batch", "positions")
        elif x.rank:
            ctx.bind(x, "batch", ...) if x.rank > 1 else ctx.bind(x, "positions")
        dim = ctx.const(self.embedding_dim, "embedding_dim")
        ctx.note("each integer index is replaced by its row of the table: a new last axis of embedding_dim")
        if self.padding_idx is not None:
            ctx.note(f"padding_idx={self.padding_idx}: that row gets no gradient (it stays as initialized); it is "
                     "still counted")
        ctx.free("the same table is looked up at every position")
        ctx.units(f"no units: a lookup table of {self.num_embeddings} rows (one per token id) of "
                  f"{self.embedding_dim} numbers")
        return ctx.spec((*x.shape, dim), "float32")


class EmbeddingBag(RuleModule):
    def __init__(self, num_embeddings, embedding_dim, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
                 mode="mean", sparse=False, _weight=None, include_last_offset=False, padding_idx=None, device=None,
                 dtype=None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = _padding_idx(padding_idx, num_embeddings, "EmbeddingBag")
        if mode not in ("sum", "mean", "max"):
            raise ArgumentError("mode has to be one of sum, mean or max", layer_type="EmbeddingBag")
        self.mode = mode
        self.include_last_offset = include_last_offset
        self.weight = param(role(num_embeddings, "num_embeddings"), role(embedding_dim, "embedding_dim"))

    def infer(self, ctx, x, offsets=None, per_sample_weights=None):
        _check_indices(ctx, x, "embedding_bag")
        dim = ctx.const(self.embedding_dim, "embedding_dim")
        if x.rank == 2:
            if offsets is not None:
                ctx.fail("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                         "length sequences.", expected="offsets=None for a 2D input")
            batch = x.shape[0]
        elif x.rank == 1:
            if offsets is None:
                ctx.fail("offsets has to be a 1D Tensor but got None", expected="offsets for a 1D input")
            if offsets.rank != 1:
                ctx.fail("offsets has to be a 1D Tensor", expected="a 1D offsets tensor")
            batch = offsets.shape[0]
            if self.include_last_offset:
                batch = batch - 1
        else:
            ctx.fail(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {x.rank}",
                     expected="(bags, bag_size) or a flat input with offsets")
        ctx.note(f"the rows of each bag are reduced by {self.mode}: one embedding_dim vector per bag")
        return ctx.spec((batch, dim), "float32")

"""MultiheadAttention and the Transformer layers.

``nn.MultiheadAttention(embed_dim, num_heads)`` packs the query, key and value projections into one
``in_proj_weight`` of 3·embed_dim × embed_dim (three separate ones when kdim or vdim differ) with an
``in_proj_bias`` of 3·embed_dim, plus ``out_proj`` (a Linear embed_dim → embed_dim): 4·E² + 4·E parameters, the
same count as Keras's MultiHeadAttention(num_heads, key_dim=E/num_heads), stored differently. Its output is the
query's shape; with need_weights the attention weights (batch, L, S) averaged over the heads come too.
The Transformer layers are built from these modules exactly as torch builds them, and their forward calls them
in torch's order (post-norm by default, ``norm_first`` for pre-norm).
"""

from __future__ import annotations

import copy

from ...dims import Known
from ...engine import Spec
from ...errors import ArgumentError, ShapeError
from .. import compute as _rec
from ..tensor import Tensor
from ._util import dims_list, role
from .activation import GELU, Dropout, ReLU
from .container import ModuleList
from .linear import Linear
from .module import Module, RuleModule, expect_tensor
from .norm import LayerNorm
from .parameter import param


class NonDynamicallyQuantizableLinear(Linear):
    pass


def _size(spec):
    return f"torch.Size({dims_list(spec.shape)})"


class MultiheadAttention(RuleModule):
    def __init__(self, embed_dim, num_heads, dropout=0.0, bias=True, add_bias_kv=False, add_zero_attn=False,
                 kdim=None, vdim=None, batch_first=False, device=None, dtype=None):
        super().__init__()
        if embed_dim <= 0 or num_heads <= 0:
            raise ArgumentError(f"embed_dim and num_heads must be greater than 0, got embed_dim={embed_dim} and "
                                f"num_heads={num_heads} instead", layer_type="MultiheadAttention")
        self.embed_dim = embed_dim
        self.kdim = kdim if kdim is not None else embed_dim
        self.vdim = vdim if vdim is not None else embed_dim
        self._qkv_same_embed_dim = self.kdim == embed_dim and self.vdim == embed_dim
        self.num_heads = num_heads
        self.dropout = dropout
        self.batch_first = batch_first
        self.head_dim = embed_dim // num_heads
        if self.head_dim * num_heads != embed_dim:
            raise ArgumentError("embed_dim must be divisible by num_heads", layer_type="MultiheadAttention",
                                fix=f"choose num_heads dividing embed_dim={embed_dim}")
        E = role(embed_dim, "embed_dim")
        if not self._qkv_same_embed_dim:
            self.q_proj_weight = param(E, E)
            self.k_proj_weight = param(E, role(self.kdim, "kdim"))
            self.v_proj_weight = param(E, role(self.vdim, "vdim"))
            self.register_parameter("in_proj_weight", None)
        else:
            self.in_proj_weight = param(Known(3) * E, E)
            self.register_parameter("q_proj_weight", None)
            self.register_parameter("k_proj_weight", None)
            self.register_parameter("v_proj_weight", None)
        if bias:
            self.in_proj_bias = param(Known(3) * E)
        else:
            self.register_parameter("in_proj_bias", None)
        self.out_proj = NonDynamicallyQuantizableLinear(embed_dim, embed_dim, bias=bias)
        if add_bias_kv:
            self.bias_k = param(Known(1), Known(1), E)
            self.bias_v = param(Known(1), Known(1), E)
        else:
            self.bias_k = self.bias_v = None
        self.add_zero_attn = add_zero_attn

    def infer(self, ctx, query, key, value, key_padding_mask=None, need_weights=True, attn_mask=None,
              average_attn_weights=True, is_causal=False):
        for i, (t, n) in enumerate(((query, "query"), (key, "key"), (value, "value"))):
            expect_tensor(t, "multi_head_attention_forward", n, i + 1)
        batched = query.rank == 3
        for t in (query, key, value):
            if not t.dtype.startswith(("float", "bfloat")):
                ctx.fail(f"expected m1 and m2 to have the same dtype, but got: {t.dtype.replace('int64', 'long int')} "
                         "!= float", expected="floating-point query, key and value")
        if query.rank not in (2, 3):
            ctx.fail(f"query should be unbatched 2D or batched 3D tensor but received {query.rank}-D query tensor",
                     expected="(L, E), or (L, N, E) ((N, L, E) with batch_first=True)")
        if batched and (key.rank != 3 or value.rank != 3):
            ctx.fail(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found {key.rank}-D and "
                     f"{value.rank}-D tensors respectively", expected="3-D key and value")
        if not batched and (key.rank != 2 or value.rank != 2):
            ctx.fail(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found {key.rank}-D and "
                     f"{value.rank}-D tensors respectively", expected="2-D key and value")
        q, k, v = query.shape, key.shape, value.shape
        if batched and self.batch_first:  # torch transposes to (L, N, E)
            q, k, v = (q[1], q[0], q[2]), (k[1], k[0], k[2]), (v[1], v[0], v[2])
        if q[-1].value != self.embed_dim:
            ctx.fail(f"was expecting embedding dimension of {self.embed_dim}, but got {q[-1].value}",
                     expected=f"embed_dim={self.embed_dim} on the query's last axis")
        if self._qkv_same_embed_dim:
            if [d.value for d in k] != [d.value for d in v]:
                ctx.fail(f"key shape {_size(Spec(k))} does not match value shape {_size(Spec(v))}",
                         expected="key and value of the same shape")
        else:
            if [d.value for d in k[:-1]] != [d.value for d in v[:-1]]:
                ctx.fail(f"key's sequence and batch dims {_size(Spec(k[:-1]))} do not match value's "
                         f"{_size(Spec(v[:-1]))}", expected="key and value with the same sequence and batch sizes")
        if k[-1].value != self.kdim:
            what = "key weights shape of" if not self._qkv_same_embed_dim else "key embedding dim"
            ctx.fail(f"expecting {what} ({self.embed_dim}, {self.kdim}), but got torch.Size([{self.embed_dim}, "
                     f"{k[-1].value}])" if not self._qkv_same_embed_dim else
                     f"mat1 and mat2 shapes cannot be multiplied ({k[0].value * (k[1].value if batched else 1)}x"
                     f"{k[-1].value} and {self.embed_dim}x{self.embed_dim})",
                     expected=f"kdim={self.kdim} on the key's last axis")
        if v[-1].value != self.vdim:
            ctx.fail(f"expecting value weights shape of ({self.embed_dim}, {self.vdim}), but got "
                     f"torch.Size([{self.embed_dim}, {v[-1].value}])" if not self._qkv_same_embed_dim else
                     f"mat1 and mat2 shapes cannot be multiplied ({v[0].value * (v[1].value if batched else 1)}x"
                     f"{v[-1].value} and {self.embed_dim}x{self.embed_dim})",
                     expected=f"vdim={self.vdim} on the value's last axis")
        if batched and k[1].value != q[1].value:
            bsz = q[1].value
            ctx.fail(f"shape '[{k[0].value}, {bsz * self.num_heads}, {self.head_dim}]' is invalid for input of size "
                     f"{k[0].value * k[1].value * self.embed_dim}",
                     expected=f"key and value with the query's batch size {bsz}")
        if batched:
            ctx.bind(query, *(("batch", "target_len", "embed_dim") if self.batch_first else
                              ("target_len", "batch", "embed_dim")))
        else:
            ctx.bind(query, "target_len", "embed_dim")
        src = k[0]
        extra = int(self.bias_k is not None) + int(self.add_zero_attn)
        src_len = src + extra if extra else src
        ctx.note(f"{self.num_heads} heads of head_dim = embed_dim / num_heads = {self.embed_dim} / {self.num_heads} = "
                 f"{self.head_dim}; the output has the query's shape")
        ctx.note("PyTorch packs the query, key and value projections in one in_proj_weight (3·embed_dim × "
                 "embed_dim) when kdim = vdim = embed_dim; Keras's MultiHeadAttention keeps three kernels "
                 "(embed_dim × num_heads × key_dim): the same 4·E² + 4·E parameters")
        if not self.batch_first and batched:
            ctx.note("batch_first=False (the default): the axes are (sequence, batch, embed_dim)")
        ctx.free("the projections are shared by every position: the sequence lengths never change the count")
        out = ctx.spec(query.shape)
        if not need_weights:
            return out, None
        L = q[0]
        if batched:
            w = (q[1], L, src_len) if average_attn_weights else (q[1], Known(self.num_heads), L, src_len)
        else:
            w = (L, src_len) if average_attn_weights else (Known(self.num_heads), L, src_len)
        return out, ctx.spec(w)


def _add(a, b, where):
    """A residual connection inside a Transformer layer: both sides have the layer's shape."""
    if [d.value for d in a.spec.shape] != [d.value for d in b.spec.shape]:
        raise ShapeError(f"{where}: the residual connection adds tensors of shapes {dims_list(a.spec.shape)} and "
                         f"{dims_list(b.spec.shape)}", layer_type=where)
    out = Tensor(a.spec)
    if _rec.ACTIVE is not None:
        _rec.ACTIVE.op("add", (a, b), {}, out)
    return out


def _activation(activation):
    if isinstance(activation, str):
        if activation == "relu":
            return "relu"
        if activation == "gelu":
            return "gelu"
        raise ArgumentError(f"activation should be relu/gelu, not {activation}", layer_type="TransformerEncoderLayer")
    return activation


def _apply_activation(activation, x):
    if isinstance(activation, str) or activation is None:
        if _rec.ACTIVE is not None and activation is not None:  # F.relu / F.gelu: shape unchanged, no module
            _rec.ACTIVE.op(activation, (x,), {}, x)
        return x
    if isinstance(activation, Module):
        return activation(x)
    result = activation(x)
    return result


class TransformerEncoderLayer(Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, bias=bias, batch_first=batch_first)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.activation = _activation(activation)
        self.batch_first = batch_first

    def _sw_structure(self):
        """How the forward combines the submodules (the explanation of a module with no rule of its own)."""
        act = self.activation if isinstance(self.activation, str) else type(self.activation).__name__
        ff = f"linear2(dropout({act}(linear1(x))))"
        if self.norm_first:
            return (f"pre-norm (norm_first=True): x = x + self_attn(norm1(x)); x = x + {ff} on norm2(x); the shape "
                    "is the input's")
        return (f"post-norm (the default): x = norm1(x + self_attn(x)); x = norm2(x + {ff}); the shape is the "
                "input's")

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, need_weights=False,
                           is_causal=is_causal)[0]
        return self.dropout1(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(_apply_activation(self.activation, self.linear1(x))))
        return self.dropout2(x)

    def forward(self, src, src_mask=None, src_key_padding_mask=None, is_causal=False):
        x = src
        where = "TransformerEncoderLayer"
        if self.norm_first:
            x = _add(x, self._sa_block(self.norm1(x), src_mask, src_key_padding_mask, is_causal), where)
            x = _add(x, self._ff_block(self.norm2(x)), where)
        else:
            x = self.norm1(_add(x, self._sa_block(x, src_mask, src_key_padding_mask, is_causal), where))
            x = self.norm2(_add(x, self._ff_block(x), where))
        return x


class TransformerDecoderLayer(Module):
    def __init__(self, d_model, nhead, dim_feedforward=2048, dropout=0.1, activation="relu", layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        self.self_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias)
        self.multihead_attn = MultiheadAttention(d_model, nhead, dropout=dropout, batch_first=batch_first, bias=bias)
        self.linear1 = Linear(d_model, dim_feedforward, bias=bias)
        self.dropout = Dropout(dropout)
        self.linear2 = Linear(dim_feedforward, d_model, bias=bias)
        self.norm_first = norm_first
        self.norm1 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm2 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.norm3 = LayerNorm(d_model, eps=layer_norm_eps, bias=bias)
        self.dropout1 = Dropout(dropout)
        self.dropout2 = Dropout(dropout)
        self.dropout3 = Dropout(dropout)
        self.activation = _activation(activation)

    def _sw_structure(self):
        if self.norm_first:
            return ("pre-norm (norm_first=True): x = x + self_attn(norm1(x)); x = x + multihead_attn(norm2(x), "
                    "memory); x = x + feed-forward(norm3(x)); the shape is the target's")
        return ("post-norm (the default): x = norm1(x + self_attn(x)); x = norm2(x + multihead_attn(x, memory)); "
                "x = norm3(x + feed-forward(x)); the shape is the target's")

    def _sa_block(self, x, attn_mask, key_padding_mask, is_causal=False):
        x = self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask, is_causal=is_causal,
                           need_weights=False)[0]
        return self.dropout1(x)

    def _mha_block(self, x, mem, attn_mask, key_padding_mask, is_causal=False):
        x = self.multihead_attn(x, mem, mem, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                                is_causal=is_causal, need_weights=False)[0]
        return self.dropout2(x)

    def _ff_block(self, x):
        x = self.linear2(self.dropout(_apply_activation(self.activation, self.linear1(x))))
        return self.dropout3(x)

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=False, memory_is_causal=False):
        x = tgt
        where = "TransformerDecoderLayer"
        if self.norm_first:
            x = _add(x, self._sa_block(self.norm1(x), tgt_mask, tgt_key_padding_mask, tgt_is_causal), where)
            x = _add(x, self._mha_block(self.norm2(x), memory, memory_mask, memory_key_padding_mask,
                                        memory_is_causal), where)
            x = _add(x, self._ff_block(self.norm3(x)), where)
        else:
            x = self.norm1(_add(x, self._sa_block(x, tgt_mask, tgt_key_padding_mask, tgt_is_causal), where))
            x = self.norm2(_add(x, self._mha_block(x, memory, memory_mask, memory_key_padding_mask,
                                                   memory_is_causal), where))
            x = self.norm3(_add(x, self._ff_block(x), where))
        return x


def _clones(module, n):
    return ModuleList([copy.deepcopy(module) for _ in range(n)])


def _stack(self, what):
    norm = ", then norm" if self.norm is not None else ""
    return (f"{self.num_layers} copies of the {what} layer (deep copies: each has its own weights), applied in turn"
            f"{norm}; the shape is unchanged")


class TransformerEncoder(Module):
    def _sw_structure(self):
        return _stack(self, "encoder")

    def __init__(self, encoder_layer, num_layers, norm=None, enable_nested_tensor=True, mask_check=True):
        super().__init__()
        self.layers = _clones(encoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm
        self.enable_nested_tensor = enable_nested_tensor
        self.mask_check = mask_check

    def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
        output = src
        for mod in self.layers:
            output = mod(output, src_mask=mask, is_causal=bool(is_causal), src_key_padding_mask=src_key_padding_mask)
        if self.norm is not None:
            output = self.norm(output)
        return output


class TransformerDecoder(Module):
    def _sw_structure(self):
        return _stack(self, "decoder")

    def __init__(self, decoder_layer, num_layers, norm=None):
        super().__init__()
        self.layers = _clones(decoder_layer, num_layers)
        self.num_layers = num_layers
        self.norm = norm

    def forward(self, tgt, memory, tgt_mask=None, memory_mask=None, tgt_key_padding_mask=None,
                memory_key_padding_mask=None, tgt_is_causal=None, memory_is_causal=False):
        output = tgt
        for mod in self.layers:
            output = mod(output, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                         tgt_key_padding_mask=tgt_key_padding_mask, memory_key_padding_mask=memory_key_padding_mask,
                         tgt_is_causal=bool(tgt_is_causal), memory_is_causal=memory_is_causal)
        if self.norm is not None:
            output = self.norm(output)
        return output


class Transformer(Module):
    def __init__(self, d_model=512, nhead=8, num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048,
                 dropout=0.1, activation="relu", custom_encoder=None, custom_decoder=None, layer_norm_eps=1e-5,
                 batch_first=False, norm_first=False, bias=True, device=None, dtype=None):
        super().__init__()
        if custom_encoder is not None:
            self.encoder = custom_encoder
        else:
            layer = TransformerEncoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias)
            self.encoder = TransformerEncoder(layer, num_encoder_layers, LayerNorm(d_model, eps=layer_norm_eps,
                                                                                    bias=bias))
        if custom_decoder is not None:
            self.decoder = custom_decoder
        else:
            layer = TransformerDecoderLayer(d_model, nhead, dim_feedforward, dropout, activation, layer_norm_eps,
                                            batch_first, norm_first, bias)
            self.decoder = TransformerDecoder(layer, num_decoder_layers, LayerNorm(d_model, eps=layer_norm_eps,
                                                                                    bias=bias))
        self.d_model = d_model
        self.nhead = nhead
        self.batch_first = batch_first

    def _sw_structure(self):
        return ("memory = encoder(src); output = decoder(tgt, memory): the output has the target's shape, with "
                f"d_model={self.d_model} features")

    def forward(self, src, tgt, src_mask=None, tgt_mask=None, memory_mask=None, src_key_padding_mask=None,
                tgt_key_padding_mask=None, memory_key_padding_mask=None, src_is_causal=None, tgt_is_causal=None,
                memory_is_causal=False):
        is_batched = src.dim() == 3
        if not self.batch_first and src.size(1) != tgt.size(1) and is_batched:
            raise ShapeError("the batch number of src and tgt must be equal", layer_type="Transformer",
                             got=[tuple(src.shape), tuple(tgt.shape)], expected="src and tgt of the same batch size")
        if self.batch_first and src.size(0) != tgt.size(0) and is_batched:
            raise ShapeError("the batch number of src and tgt must be equal", layer_type="Transformer",
                             got=[tuple(src.shape), tuple(tgt.shape)], expected="src and tgt of the same batch size")
        if src.size(-1) != self.d_model or tgt.size(-1) != self.d_model:
            raise ShapeError("the feature number of src and tgt must be equal to d_model", layer_type="Transformer",
                             got=[tuple(src.shape), tuple(tgt.shape)], expected=f"d_model={self.d_model} features")
        memory = self.encoder(src, mask=src_mask, src_key_padding_mask=src_key_padding_mask, is_causal=src_is_causal)
        return self.decoder(tgt, memory, tgt_mask=tgt_mask, memory_mask=memory_mask,
                            tgt_key_padding_mask=tgt_key_padding_mask,
                            memory_key_padding_mask=memory_key_padding_mask, tgt_is_causal=tgt_is_causal,
                            memory_is_causal=memory_is_causal)


__all__ = [
    "GELU",
    "MultiheadAttention",
    "ReLU",
    "Transformer",
    "TransformerDecoder",
    "TransformerDecoderLayer",
    "TransformerEncoder",
    "TransformerEncoderLayer",
]

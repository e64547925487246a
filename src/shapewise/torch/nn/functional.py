"""``torch.nn.functional``: each function an explicit dispatch to the ops vocabulary's ``FUNCTIONAL`` table.

The table (``shapewise.ops.torch_ops.FUNCTIONAL``) holds the shape rule of each function over Specs; this module
only converts Tensors to Specs and back. A name not listed here is an AttributeError naming it.
"""

from __future__ import annotations

from .. import compute as _rec
from ..tensor import _ops, _to_spec, wrap

NAMES = (
    "relu", "relu_", "relu6", "leaky_relu", "leaky_relu_", "elu", "elu_", "selu", "celu", "gelu", "silu", "mish",
    "sigmoid", "tanh", "hardtanh", "hardsigmoid", "hardswish", "softplus", "softsign", "softshrink", "hardshrink",
    "tanhshrink", "threshold", "logsigmoid", "prelu", "rrelu", "glu", "softmax", "log_softmax", "softmin",
    "gumbel_softmax", "linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "conv_transpose3d", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
    "adaptive_max_pool2d", "adaptive_max_pool3d", "lp_pool1d", "lp_pool2d", "interpolate", "upsample", "pad",
    "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "layer_norm",
    "batch_norm", "group_norm", "instance_norm", "rms_norm", "local_response_norm", "normalize", "embedding",
    "embedding_bag", "one_hot", "scaled_dot_product_attention", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
    "smooth_l1_loss", "huber_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div",
    "cosine_similarity", "pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "unfold", "fold",
    "grid_sample", "affine_grid", "channel_shuffle", "multi_head_attention_forward",
)


def _function(name):
    def fn(*args, **kwargs):
        table = _ops().FUNCTIONAL
        rule = table.get(name)
        if rule is None:
            from ...errors import RefusedError

            raise RefusedError(f"torch.nn.functional.{name} is not in shapewise's vocabulary",
                               layer_type=f"F.{name}")
        out = wrap(rule(list(map(_to_spec, args)), {k: _to_spec(v) for k, v in kwargs.items()}))
        if _rec.ACTIVE is not None:
            _rec.ACTIVE.op(name, args, kwargs, out)
        return out

    fn.__name__ = name
    return fn


for _name in NAMES:
    globals()[_name] = _function(_name)
del _name

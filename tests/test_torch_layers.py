"""Linear, embeddings, activations, dropout, normalization and the shape layers against real torch (meta)."""

import pytest

from torch_cases import table
from torch_oracle import assert_same_torch

R = "torch.randn"
ACTIVATIONS = ["ReLU()", "ReLU6()", "LeakyReLU(0.2)", "ELU()", "CELU(0.5)", "SELU()", "GELU()", "GELU('tanh')",
               "SiLU()", "Mish()", "Sigmoid()", "Tanh()", "Hardtanh(-2, 2)", "Hardsigmoid()", "Hardswish()",
               "Softplus(beta=2)", "Softsign()", "Softshrink()", "Hardshrink()", "Tanhshrink()", "Threshold(0.1, 20)",
               "LogSigmoid()", "RReLU()", "PReLU()", "PReLU(4)", "Softmax(dim=1)", "Softmax(dim=-1)",
               "LogSoftmax(dim=1)", "Softmin(dim=0)", "Softmax2d()", "GLU()", "GLU(dim=1)", "Identity(54, x=1)",
               "Dropout()", "Dropout(0.1)", "Dropout1d(0.2)", "Dropout2d()", "Dropout3d()", "AlphaDropout(0.2)",
               "FeatureAlphaDropout(0.2)"]

LAYERS = [
    ("linear-docs", "nn.Linear(20, 30)", f"{R}(128, 20)"),
    ("linear-3d", "nn.Linear(20, 30, bias=False)", f"{R}(4, 7, 20)"),
    ("linear-1d", "nn.Linear(20, 30)", f"{R}(20)"),
    ("linear-5d", "nn.Linear(3, 2)", f"{R}(2, 1, 4, 5, 3)"),
    ("bilinear-docs", "nn.Bilinear(20, 30, 40)", f"{R}(128, 20)", f"{R}(128, 30)"),
    ("embedding-docs", "nn.Embedding(10, 3)", "torch.randint(0, 10, (2, 4))"),
    ("embedding-padding", "nn.Embedding(10, 3, padding_idx=0)", "torch.randint(0, 10, (2, 4))"),
    ("embedding-neg-padding", "nn.Embedding(10, 3, padding_idx=-1, max_norm=1.0)", "torch.randint(0, 10, (4,))"),
    ("embedding-3d", "nn.Embedding(10, 3)", "torch.randint(0, 10, (2, 4, 5))"),
    ("embeddingbag-2d", "nn.EmbeddingBag(10, 3, mode='sum')", "torch.randint(0, 10, (2, 4))"),
    ("embeddingbag-offsets", "nn.EmbeddingBag(10, 3)", "torch.randint(0, 10, (8,))", "torch.tensor([0, 4])"),
    ("flatten", "nn.Flatten()", f"{R}(32, 1, 5, 5)"),
    ("flatten-0", "nn.Flatten(0, 2)", f"{R}(32, 1, 5, 5)"),
    ("flatten-2d", "nn.Flatten()", f"{R}(32, 5)"),
    ("unflatten", "nn.Unflatten(1, (2, 5, 5))", f"{R}(2, 50)"),
    ("unflatten-neg", "nn.Unflatten(-1, (5, -1))", f"{R}(2, 50)"),
    ("batchnorm1d", "nn.BatchNorm1d(100)", f"{R}(20, 100)"),
    ("batchnorm1d-3d", "nn.BatchNorm1d(100, affine=False)", f"{R}(20, 100, 7)"),
    ("batchnorm2d", "nn.BatchNorm2d(100)", f"{R}(20, 100, 35, 45)"),
    ("batchnorm2d-nostats", "nn.BatchNorm2d(10, track_running_stats=False)", f"{R}(2, 10, 3, 4)"),
    ("batchnorm3d", "nn.BatchNorm3d(10)", f"{R}(2, 10, 3, 4, 5)"),
    ("lazybatchnorm2d", "nn.LazyBatchNorm2d()", f"{R}(2, 10, 3, 4)"),
    ("instancenorm1d", "nn.InstanceNorm1d(100)", f"{R}(20, 100, 40)"),
    ("instancenorm2d-affine", "nn.InstanceNorm2d(100, affine=True)", f"{R}(20, 100, 35, 45)"),
    ("instancenorm2d-stats", "nn.InstanceNorm2d(3, track_running_stats=True)", f"{R}(2, 3, 5, 5)"),
    ("instancenorm3d-unbatched", "nn.InstanceNorm3d(3)", f"{R}(3, 4, 5, 5)"),
    ("layernorm-nlp", "nn.LayerNorm(10)", f"{R}(20, 5, 10)"),
    ("layernorm-image", "nn.LayerNorm([10, 10])", f"{R}(20, 5, 10, 10)"),
    ("layernorm-nobias", "nn.LayerNorm(10, bias=False)", f"{R}(2, 10)"),
    ("layernorm-noaffine", "nn.LayerNorm(10, elementwise_affine=False)", f"{R}(2, 10)"),
    ("groupnorm", "nn.GroupNorm(3, 6)", f"{R}(20, 6, 10, 10)"),
    ("groupnorm-noaffine", "nn.GroupNorm(6, 6, affine=False)", f"{R}(20, 6, 10)"),
    ("rmsnorm", "nn.RMSNorm([5, 10])", f"{R}(2, 3, 5, 10)"),
    ("localresponsenorm", "nn.LocalResponseNorm(2)", f"{R}(32, 5, 24, 24)"),
    ("pixelshuffle", "nn.PixelShuffle(3)", f"{R}(1, 9, 4, 4)"),
    ("pixelunshuffle", "nn.PixelUnshuffle(3)", f"{R}(1, 1, 12, 12)"),
    ("channelshuffle", "nn.ChannelShuffle(2)", f"{R}(1, 4, 2, 2)"),
    ("upsample-scale", "nn.Upsample(scale_factor=2, mode='nearest')", f"{R}(1, 1, 2, 2)"),
    ("upsample-bilinear", "nn.Upsample(scale_factor=1.5, mode='bilinear')", f"{R}(1, 1, 3, 5)"),
    ("upsample-size", "nn.Upsample(size=(7, 9))", f"{R}(1, 3, 2, 2)"),
    ("upsample-1d", "nn.Upsample(scale_factor=3, mode='linear')", f"{R}(1, 3, 4)"),
    ("upsampling-bilinear2d", "nn.UpsamplingBilinear2d(scale_factor=2)", f"{R}(1, 3, 4, 4)"),
    ("zeropad2d", "nn.ZeroPad2d((1, 1, 2, 0))", f"{R}(1, 1, 3, 3)"),
    ("zeropad2d-negative", "nn.ZeroPad2d(-1)", f"{R}(1, 1, 3, 3)"),
    ("constantpad1d", "nn.ConstantPad1d(2, 3.5)", f"{R}(1, 2, 4)"),
    ("constantpad3d", "nn.ConstantPad3d((3, 3, 6, 6, 0, 1), 3.5)", f"{R}(16, 3, 10, 20, 30)"),
    ("reflectionpad2d", "nn.ReflectionPad2d(2)", f"{R}(1, 1, 3, 3)"),
    ("reflectionpad1d", "nn.ReflectionPad1d((3, 1))", f"{R}(1, 2, 4)"),
    ("replicationpad2d", "nn.ReplicationPad2d((1, 1, 2, 0))", f"{R}(1, 1, 3, 3)"),
    ("replicationpad3d", "nn.ReplicationPad3d(3)", f"{R}(16, 3, 8, 32, 48)"),
    ("circularpad2d", "nn.CircularPad2d(1)", f"{R}(1, 1, 3, 3)"),
    ("unfold-docs", "nn.Unfold(kernel_size=(2, 3))", f"{R}(2, 5, 3, 4)"),
    ("unfold-pad", "nn.Unfold(kernel_size=3, padding=1, stride=2)", f"{R}(2, 5, 7, 8)"),
    ("fold-docs", "nn.Fold(output_size=(4, 5), kernel_size=(2, 2))", f"{R}(1, 3 * 2 * 2, 12)"),
    ("cosine-similarity", "nn.CosineSimilarity(dim=1, eps=1e-6)", f"{R}(100, 128)", f"{R}(100, 128)"),
    ("pairwise-distance", "nn.PairwiseDistance(p=2)", f"{R}(100, 128)", f"{R}(100, 128)"),
    ("pairwise-keepdim", "nn.PairwiseDistance(keepdim=True)", f"{R}(100, 128)", f"{R}(1, 128)"),
] + [(f"act-{a.split('(')[0].lower()}-{i}", f"nn.{a}", f"{R}(2, 4, 6)") for i, a in enumerate(ACTIVATIONS)]

ERRORS = [
    ("linear-mismatch", "nn.Linear(256, 120)", f"{R}(4, 400)"),
    ("linear-long", "nn.Linear(3, 4)", "torch.randint(0, 3, (2, 3))"),
    ("bilinear-mismatch", "nn.Bilinear(20, 30, 40)", f"{R}(128, 20)", f"{R}(128, 31)"),
    ("embedding-floats", "nn.Embedding(10, 3)", f"{R}(2, 4)"),
    ("embedding-bad-padding", "nn.Embedding(10, 3, padding_idx=10)", "torch.randint(0, 10, (2, 4))"),
    ("batchnorm-channels", "nn.BatchNorm2d(3)", f"{R}(2, 4, 5, 5)"),
    ("batchnorm-rank", "nn.BatchNorm2d(4)", f"{R}(4, 5, 5)"),
    ("batchnorm1d-rank", "nn.BatchNorm1d(4)", f"{R}(2, 4, 5, 5)"),
    ("batchnorm-one-value", "nn.BatchNorm1d(4)", f"{R}(1, 4)"),
    ("batchnorm-nostats-channels", "nn.BatchNorm2d(4, track_running_stats=False)", f"{R}(2, 3, 5, 5)"),
    ("instancenorm-affine-channels", "nn.InstanceNorm2d(4, affine=True)", f"{R}(2, 3, 5, 5)"),
    ("instancenorm-one-position", "nn.InstanceNorm1d(4)", f"{R}(2, 4, 1)"),
    ("layernorm-mismatch", "nn.LayerNorm(5)", f"{R}(2, 4)"),
    ("groupnorm-divisible", "nn.GroupNorm(2, 4)", f"{R}(2, 5, 3)"),
    ("groupnorm-channels", "nn.GroupNorm(2, 4)", f"{R}(2, 6, 3)"),
    ("groupnorm-ctor", "nn.GroupNorm(4, 6)", f"{R}(2, 6, 3)"),
    ("prelu-channels", "nn.PReLU(3)", f"{R}(2, 4)"),
    ("softmax-dim", "nn.Softmax(dim=2)", f"{R}(2, 4)"),
    ("glu-odd", "nn.GLU()", f"{R}(3, 5)"),
    ("dropout-p", "nn.Dropout(1.5)", f"{R}(3, 5)"),
    ("dropout1d-rank", "nn.Dropout1d(0.2)", f"{R}(3, 5, 2, 2)"),
    ("flatten-dims", "nn.Flatten(2, 1)", f"{R}(3, 5, 2)"),
    ("unflatten-product", "nn.Unflatten(1, (2, 4))", f"{R}(3, 6)"),
    ("pixelshuffle-channels", "nn.PixelShuffle(2)", f"{R}(1, 6, 4, 4)"),
    ("reflectionpad-too-big", "nn.ReflectionPad2d(3)", f"{R}(1, 1, 3, 3)"),
    ("upsample-mode-rank", "nn.Upsample(scale_factor=2, mode='bilinear')", f"{R}(1, 3, 4)"),
    ("fold-blocks", "nn.Fold(output_size=(4, 5), kernel_size=(2, 2))", f"{R}(1, 12, 11)"),
    ("cosine-broadcast", "nn.CosineSimilarity()", f"{R}(4, 128)", f"{R}(5, 128)"),
]


@pytest.mark.parametrize("source", table(LAYERS))
def test_matches_torch(source):
    assert_same_torch(source)


@pytest.mark.parametrize("source", table(ERRORS))
def test_errors_match_torch(source):
    real, _ = assert_same_torch(source)
    assert real is not None, "torch accepted this case: move it to the other table"


LOSSES = [
    ("cross-entropy", "nn.CrossEntropyLoss()", f"{R}(4, 10)", "torch.randint(0, 10, (4,))"),
    ("cross-entropy-none", "nn.CrossEntropyLoss(reduction='none', label_smoothing=0.1)", f"{R}(4, 10, 3)",
     "torch.randint(0, 10, (4, 3))"),
    ("cross-entropy-weight", "nn.CrossEntropyLoss(weight=torch.ones(10))", f"{R}(4, 10)", "torch.randint(0, 10, (4,))"),
    ("nll", "nn.NLLLoss()", f"{R}(4, 10)", "torch.randint(0, 10, (4,))"),
    ("mse", "nn.MSELoss()", f"{R}(4, 10)", f"{R}(4, 10)"),
    ("mse-none", "nn.MSELoss(reduction='none')", f"{R}(4, 10)", f"{R}(4, 10)"),
    ("l1-sum", "nn.L1Loss(reduction='sum')", f"{R}(4, 10)", f"{R}(4, 10)"),
    ("bce-logits", "nn.BCEWithLogitsLoss()", f"{R}(4, 1)", f"{R}(4, 1)"),
    ("smooth-l1", "nn.SmoothL1Loss(beta=0.5)", f"{R}(3)", f"{R}(3)"),
]
LOSS_ERRORS = [
    ("cross-entropy-batch", "nn.CrossEntropyLoss()", f"{R}(4, 10)", "torch.randint(0, 10, (5,))"),
    ("mse-shapes", "nn.MSELoss()", f"{R}(4, 10)", f"{R}(4, 9)"),
]


@pytest.mark.parametrize("source", table(LOSSES))
def test_losses_match_torch(source):
    assert_same_torch(source)


@pytest.mark.parametrize("source", table(LOSS_ERRORS))
def test_loss_errors_match_torch(source):
    real, _ = assert_same_torch(source)
    assert real is not None


ID_ERRORS = [
    ("embedding-vocab-too-small", "nn.Embedding(10, 3)", "torch.randint(0, 11, (64, 64))"),  # an id of 10: certain
    ("embedding-arange-too-long", "nn.Embedding(16, 3)", "torch.arange(0, 17)"),
    ("embedding-literal", "nn.Embedding(4, 3)", "torch.tensor([[0, 1], [2, 4]])"),
]
ID_OK = [
    ("embedding-vocab-exact", "nn.Embedding(10, 3)", "torch.randint(0, 10, (2, 4))"),
    ("embedding-arange", "nn.Embedding(16, 3)", "torch.arange(16)"),
    ("embedding-literal-ok", "nn.Embedding(5, 3)", "torch.tensor([[0, 1], [2, 4]])"),
]


@pytest.mark.parametrize("source", table(ID_ERRORS))
def test_embedding_ids_out_of_range_raise_as_on_the_cpu(source):
    real, mine = assert_same_torch(source)  # the meta device does not look at values: the CPU decides
    assert real is not None and "index out of range" in str(mine)


@pytest.mark.parametrize("source", table(ID_OK))
def test_embedding_ids_in_range(source):
    assert_same_torch(source)

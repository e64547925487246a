"""``shapewise.torch.nn``: torch.nn's modules, with torch's argument names, defaults, validation and weights.

A module family (``conv``, ``rnn``, ...) is imported on the first use of one of its names, so that a snippet pays
only for the families it uses; ``MODULES`` maps torch's names to the classes (iterating it imports every family).
"""

import importlib as _importlib

from .module import Module
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter  # noqa: F401

#: family submodule -> the names it defines, in the order torch.nn's namespace lists them (a new module class goes
#: in its family's tuple)
FAMILIES = {
    'activation': (
        'CELU', 'ELU', 'GELU', 'GLU', 'SELU', 'AlphaDropout', 'Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d',
        'FeatureAlphaDropout', 'Hardshrink', 'Hardsigmoid', 'Hardswish', 'Hardtanh', 'LeakyReLU', 'LogSigmoid',
        'LogSoftmax', 'Mish', 'PReLU', 'ReLU', 'ReLU6', 'RReLU', 'Sigmoid', 'SiLU', 'Softmax', 'Softmax2d', 'Softmin',
        'Softplus', 'Softshrink', 'Softsign', 'Tanh', 'Tanhshrink', 'Threshold',
    ),
    'container': (
        'ModuleDict', 'ModuleList', 'ParameterDict', 'ParameterList', 'Sequential',
    ),
    'conv': (
        'Conv1d', 'Conv2d', 'Conv3d', 'ConvTranspose1d', 'ConvTranspose2d', 'ConvTranspose3d', 'LazyConv1d',
        'LazyConv2d', 'LazyConv3d', 'LazyConvTranspose1d', 'LazyConvTranspose2d', 'LazyConvTranspose3d',
    ),
    'linear': (
        'Bilinear', 'Identity', 'LazyLinear', 'Linear',
    ),
    'loss': (
        'BCELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss', 'HuberLoss', 'L1Loss', 'MSELoss', 'NLLLoss',
        'SmoothL1Loss',
    ),
    'norm': (
        'BatchNorm1d', 'BatchNorm2d', 'BatchNorm3d', 'GroupNorm', 'InstanceNorm1d', 'InstanceNorm2d',
        'InstanceNorm3d', 'LayerNorm', 'LazyBatchNorm1d', 'LazyBatchNorm2d', 'LazyBatchNorm3d', 'LocalResponseNorm',
        'RMSNorm', 'SyncBatchNorm',
    ),
    'pooling': (
        'AdaptiveAvgPool1d', 'AdaptiveAvgPool2d', 'AdaptiveAvgPool3d', 'AdaptiveMaxPool1d', 'AdaptiveMaxPool2d',
        'AdaptiveMaxPool3d', 'AvgPool1d', 'AvgPool2d', 'AvgPool3d', 'FractionalMaxPool2d', 'FractionalMaxPool3d',
        'LPPool1d', 'LPPool2d', 'LPPool3d', 'MaxPool1d', 'MaxPool2d', 'MaxPool3d', 'MaxUnpool1d', 'MaxUnpool2d',
        'MaxUnpool3d',
    ),
    'rnn': (
        'GRU', 'LSTM', 'RNN', 'GRUCell', 'LSTMCell', 'RNNBase', 'RNNCell', 'RNNCellBase',
    ),
    'shape': (
        'ChannelShuffle', 'CircularPad1d', 'CircularPad2d', 'CircularPad3d', 'ConstantPad1d', 'ConstantPad2d',
        'ConstantPad3d', 'CosineSimilarity', 'Flatten', 'Fold', 'PairwiseDistance', 'PixelShuffle', 'PixelUnshuffle',
        'ReflectionPad1d', 'ReflectionPad2d', 'ReflectionPad3d', 'ReplicationPad1d', 'ReplicationPad2d',
        'ReplicationPad3d', 'Unflatten', 'Unfold', 'Upsample', 'UpsamplingBilinear2d', 'UpsamplingNearest2d',
        'ZeroPad1d', 'ZeroPad2d', 'ZeroPad3d',
    ),
    'sparse': (
        'Embedding', 'EmbeddingBag',
    ),
    'transformer': (
        'MultiheadAttention', 'NonDynamicallyQuantizableLinear', 'Transformer', 'TransformerDecoder',
        'TransformerDecoderLayer', 'TransformerEncoder', 'TransformerEncoderLayer',
    ),
}
_WHERE = {name: family for family, names in FAMILIES.items() for name in names}
_SUBMODULES = ("functional", "init", "utils")


def __getattr__(name):
    if name == "__all__":  # ``from shapewise.torch.nn import *``: every name, as when all were imported eagerly
        return [n for n in __dir__() if not n.startswith("_")]
    family = _WHERE.get(name)
    if family is not None:
        value = getattr(_importlib.import_module(f"{__name__}.{family}"), name)
    elif name in _SUBMODULES or name in FAMILIES:
        value = _importlib.import_module(f"{__name__}.{name}")
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_WHERE) | set(_SUBMODULES) | set(FAMILIES))


class _Modules:
    """torch's name -> module class (``Module`` and every class of the families): a family is imported on the
    first look-up of one of its names; iterating imports them all."""

    _all = None

    def get(self, name, default=None):
        if name == "Module":
            return Module
        if type(name) is not str or name not in _WHERE:
            return default
        value = __getattr__(name)
        return value if isinstance(value, type) and issubclass(value, Module) else default

    def __getitem__(self, name):
        value = self.get(name)
        if value is None:
            raise KeyError(name)
        return value

    def __contains__(self, name):
        return self.get(name) is not None

    def load_all(self):
        if self._all is None:
            names = [n for names in FAMILIES.values() for n in names]
            # in torch.nn's order: the families listed before module.py's place, Module, then the others
            at = names.index(FAMILIES["norm"][0])
            order = names[:at] + ["Module"] + names[at:]
            type(self)._all = {n: self.get(n) for n in order if self.get(n) is not None}
        return self._all

    def __iter__(self):
        return iter(self.load_all())

    def __len__(self):
        return len(self.load_all())

    def keys(self):
        return self.load_all().keys()

    def values(self):
        return self.load_all().values()

    def items(self):
        return self.load_all().items()


#: Every module class this vocabulary knows, by torch's name (the live path maps a real module to its rule here).
MODULES = _Modules()

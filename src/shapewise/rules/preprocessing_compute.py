"""The compute of the preprocessing layers (rules/preprocessing.py), declared beside them.

Most preprocessing layers do no matrix product or convolution: no FLOPs as FlopCounterMode counts them. Their
elementwise work (a flip, a crop, a colour change, a lookup) is not counted as other ops, and they save nothing
for a backward pass (they run on the data before the model's weights). Those that do multiply-accumulate are left
undeclared, so the output says their work is not counted: MelSpectrogram and STFTSpectrogram (an STFT and a mel
filterbank product), RandomGaussianBlur and RandomSharpness (a convolution with a small kernel), AugMix and
RandAugment (which may apply those), Pipeline (whatever its layers do).
"""

from __future__ import annotations

from ..engine import REGISTRY

_WITH_PRODUCTS = frozenset({"MelSpectrogram", "STFTSpectrogram", "RandomGaussianBlur", "RandomSharpness", "AugMix",
                            "RandAugment", "Pipeline"})


def _no_products(self, c):
    c.note("a preprocessing layer: no matrix product or convolution (0 FLOPs as FlopCounterMode counts them); its "
           "elementwise work is not counted as other ops")


def declare():
    from . import preprocessing

    for name, cls in REGISTRY.items():
        if cls.__module__ == preprocessing.__name__ and cls.compute is None and name not in _WITH_PRODUCTS:
            cls.compute = _no_products


declare()

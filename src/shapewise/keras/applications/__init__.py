"""``keras.applications``: Keras's pretrained-model architectures, built symbolically.

Each family module is a port of Keras's own builder (same layers, layer names, arguments and checks), so
``applications.DenseNet121(...)`` and ``applications.densenet.DenseNet121(...)`` give exactly the model Keras
builds. Weights are never downloaded: ``weights="imagenet"`` checks the arguments as Keras does and builds the
same graph, whose shapes and parameter counts do not depend on the weights' values.
"""

from . import (  # noqa: F401
    convnext,
    densenet,
    efficientnet,
    efficientnet_v2,
    imagenet_utils,
    inception_resnet_v2,
    inception_v3,
    mobilenet,
    mobilenet_v2,
    mobilenet_v3,
    nasnet,
    resnet,
    resnet_v2,
    vgg16,
    vgg19,
    xception,
)
from . import resnet as resnet50  # noqa: F401  (Keras also exposes keras.applications.resnet50)
from .convnext import ConvNeXtBase, ConvNeXtLarge, ConvNeXtSmall, ConvNeXtTiny, ConvNeXtXLarge
from .densenet import DenseNet121, DenseNet169, DenseNet201
from .efficientnet import (
    EfficientNetB0,
    EfficientNetB1,
    EfficientNetB2,
    EfficientNetB3,
    EfficientNetB4,
    EfficientNetB5,
    EfficientNetB6,
    EfficientNetB7,
)
from .efficientnet_v2 import (
    EfficientNetV2B0,
    EfficientNetV2B1,
    EfficientNetV2B2,
    EfficientNetV2B3,
    EfficientNetV2L,
    EfficientNetV2M,
    EfficientNetV2S,
)
from .inception_resnet_v2 import InceptionResNetV2
from .inception_v3 import InceptionV3
from .mobilenet import MobileNet
from .mobilenet_v2 import MobileNetV2
from .mobilenet_v3 import MobileNetV3Large, MobileNetV3Small
from .nasnet import NASNetLarge, NASNetMobile
from .resnet import ResNet50, ResNet101, ResNet152
from .resnet_v2 import ResNet50V2, ResNet101V2, ResNet152V2
from .vgg16 import VGG16
from .vgg19 import VGG19
from .xception import Xception


# Every builder, under both import paths, runs with the cyclic garbage collector paused (engine.gc_paused):
# a build allocates tens of thousands of objects that all stay alive, so collecting during it is pure cost.
def _pause_gc_in_builders():
    from ...engine import gc_paused

    families = (convnext, densenet, efficientnet, efficientnet_v2, inception_resnet_v2, inception_v3, mobilenet,
                mobilenet_v2, mobilenet_v3, nasnet, resnet, resnet_v2, vgg16, vgg19, xception)
    for name in __all__:
        for module in families:
            fn = module.__dict__.get(name)
            if fn is not None and fn.__module__ == module.__name__:
                wrapped = gc_paused(fn)
                setattr(module, name, wrapped)
                globals()[name] = wrapped


__all__ = [
    "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtSmall", "ConvNeXtTiny", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5",
    "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2L",
    "EfficientNetV2M", "EfficientNetV2S",
    "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Large", "MobileNetV3Small",
    "NASNetLarge", "NASNetMobile", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2",
    "ResNet152V2", "VGG16", "VGG19", "Xception",
]

_pause_gc_in_builders()

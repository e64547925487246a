"""Every ``keras.applications`` model, built by real Keras and by shapewise, compared layer by layer.

For each application: its default configuration; ``include_top=False, pooling="avg"`` at a non-default,
non-square size; and a one-channel input (``weights=None``). Then the seed question (DenseNet121 used as a layer
at 224×224×1 and 512×512×1, same parameter count), Keras's argument checks (both sides must refuse), and
``weights="imagenet"``, which shapewise builds without downloading anything.

Real Keras refuses NASNet on its torch backend ("outstanding bug", a runtime problem); the oracle builds it with
that one check bypassed, which gives the graph every other backend builds.
"""

import types

import pytest
from oracle import assert_same, real_keras, run_keras, run_shapewise_api

APPS = [
    "ConvNeXtTiny", "ConvNeXtSmall", "ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge",
    "DenseNet121", "DenseNet169", "DenseNet201",
    "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3", "EfficientNetB4", "EfficientNetB5",
    "EfficientNetB6", "EfficientNetB7",
    "EfficientNetV2B0", "EfficientNetV2B1", "EfficientNetV2B2", "EfficientNetV2B3", "EfficientNetV2S",
    "EfficientNetV2M", "EfficientNetV2L",
    "InceptionResNetV2", "InceptionV3", "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large",
    "NASNetMobile", "NASNetLarge", "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "ResNet101V2",
    "ResNet152V2", "VGG16", "VGG19", "Xception",
]

# Building these in real Keras takes several seconds each (hundreds of millions of weights allocated): their
# extra configurations are marked slow; the default configuration of every application always runs.
HEAVY = {"ConvNeXtBase", "ConvNeXtLarge", "ConvNeXtXLarge", "EfficientNetB5", "EfficientNetB6", "EfficientNetB7",
         "EfficientNetV2M", "EfficientNetV2L", "NASNetLarge", "ResNet152", "ResNet152V2"}

CONFIGS = {
    "default": "weights=None",
    "notop_avg": "weights=None, include_top=False, pooling='avg', input_shape=(160, 208, 3)",
    "one_channel": "weights=None, input_shape=(224, 224, 1)",
}


@pytest.fixture(scope="module", autouse=True)
def _fast_oracle():
    """Two test-only patches of the oracle, neither of which changes a shape, a name or a count.

    - Random initializers return uninitialized tensors of the right shape and dtype: drawing hundreds of
      millions of random numbers is most of Keras's build time for the big applications, and only shapes are
      compared.
    - NASNet: let real Keras build it on the torch backend (its builder refuses torch up front).
    """
    real_keras()
    import torch
    from keras.src.applications import nasnet
    from keras.src.backend.torch import random as torch_random
    from keras.src.backend.torch.core import to_torch_dtype

    def uninitialized(shape, *args, dtype=None, **kwargs):
        return torch.empty(tuple(shape), dtype=to_torch_dtype(dtype or "float32"))

    saved = {name: getattr(torch_random, name) for name in ("uniform", "normal", "truncated_normal")}
    for name in saved:
        setattr(torch_random, name, uninitialized)
    original = nasnet.backend
    proxy = types.SimpleNamespace(**{k: getattr(original, k) for k in dir(original) if not k.startswith("__")})
    proxy.backend = lambda: "jax"
    nasnet.backend = proxy
    yield
    nasnet.backend = original
    for name, fn in saved.items():
        setattr(torch_random, name, fn)


def _cases():
    for app in APPS:
        for config, args in CONFIGS.items():
            marks = [pytest.mark.keras]
            if config != "default" and app in HEAVY:
                marks.append(pytest.mark.slow)
            yield pytest.param(f"model = keras.applications.{app}({args})", id=f"{app}-{config}", marks=marks)


@pytest.mark.parametrize("source", list(_cases()))
def test_application_matches_keras(source):
    assert_same(source)


def test_family_modules_export_the_same_functions():
    import shapewise.keras as sk

    apps = sk.applications
    assert sorted(apps.__all__) == sorted(APPS)
    assert apps.densenet.DenseNet121 is apps.DenseNet121
    assert apps.resnet50.ResNet50 is apps.ResNet50
    assert apps.efficientnet_v2.EfficientNetV2S is apps.EfficientNetV2S


SEED = """
INPUT_SHAPE = ({size}, {size}, 1)
densenet_121_model = keras.applications.densenet.DenseNet121(include_top=False, weights=None,
                                                             input_shape=INPUT_SHAPE, pooling='avg')
inputs = keras.Input(shape=INPUT_SHAPE, name='input')
model_base = densenet_121_model(inputs)
output = layers.Dense(units=2, activation='sigmoid')(model_base)
model = keras.Model(inputs=inputs, outputs=output)
"""


@pytest.mark.keras
def test_seed_densenet_nested_same_count_at_224_and_512():
    described = []
    for size in (224, 512):
        k, s = assert_same(SEED.format(size=size))
        assert k.error is None
        described.append(s.models[0])
    small, large = described
    assert [l["name"] for l in small["layers"]] == ["input", "densenet121", "dense"]
    # The numbers in the seed question (Keras 2.2.4) still hold in Keras 3.
    assert [l["params"] for l in small["layers"]] == [0, 7031232, 2050]
    assert (small["total_params"], small["trainable_params"], small["non_trainable_params"]) == (
        7033282, 6949634, 83648)
    for field in ("total_params", "trainable_params", "non_trainable_params"):
        assert small[field] == large[field]


# Keras checks its arguments before building (and before any download): both sides must refuse these.
FAILING = {
    "imagenet_classes": "model = keras.applications.DenseNet121(weights='imagenet', classes=10)",
    "imagenet_top_size": "model = keras.applications.ResNet50(weights='imagenet', input_shape=(200, 200, 3))",
    "imagenet_channels": ("model = keras.applications.VGG16(weights='imagenet', include_top=False, "
                          "input_shape=(200, 200, 1))"),
    "imagenet_activation": "model = keras.applications.VGG19(weights='imagenet', classifier_activation='relu')",
    "too_small": "model = keras.applications.MobileNet(weights=None, include_top=False, input_shape=(20, 20, 3))",
    "xception_too_small": ("model = keras.applications.Xception(weights=None, include_top=False, "
                           "input_shape=(64, 64, 3))"),
    "top_needs_static_shape": ("model = keras.applications.InceptionV3(weights=None, "
                               "input_shape=(None, None, 3))"),
    "rank_2_shape": "model = keras.applications.ResNet50(weights=None, include_top=False, input_shape=(64, 3))",
    "weights_file": "model = keras.applications.Xception(weights='/nonexistent/xception.h5')",
    "mobilenet_alpha": "model = keras.applications.MobileNet(weights='imagenet', alpha=0.3)",
    "mobilenet_v2_alpha": "model = keras.applications.MobileNetV2(weights='imagenet', alpha=0.3)",
}


@pytest.mark.keras
@pytest.mark.parametrize("source", FAILING.values(), ids=FAILING.keys())
def test_keras_argument_checks(source):
    k, s = assert_same(source)
    # Keras's own argument check (a ValueError before any download), not a failed download.
    assert isinstance(k.error, ValueError), repr(k.error)


# Family arguments, and a model built on a given input_tensor.
VARIANTS = {
    "mobilenet_alpha_depth": ("model = keras.applications.MobileNet(weights=None, alpha=0.5, depth_multiplier=2, "
                              "dropout=0.2, input_shape=(128, 128, 3))"),
    "mobilenet_v2_alpha": "model = keras.applications.MobileNetV2(weights=None, alpha=1.4, classes=10)",
    "mobilenet_v3_minimalistic": ("model = keras.applications.MobileNetV3Large(weights=None, alpha=0.75, "
                                  "minimalistic=True, include_preprocessing=False)"),
    "mobilenet_v3_no_top": ("model = keras.applications.MobileNetV3Small(weights=None, include_top=False, "
                            "pooling='max', input_shape=(96, 96, 3))"),
    "efficientnet_v2_no_preprocessing": ("model = keras.applications.EfficientNetV2B0(weights=None, "
                                         "include_preprocessing=False, classes=5, classifier_activation=None)"),
    "convnext_no_preprocessing_max": ("model = keras.applications.ConvNeXtTiny(weights=None, include_top=False, "
                                      "include_preprocessing=False, pooling='max')"),
    "resnet_input_tensor": """
x = keras.Input((128, 128, 3))
model = keras.applications.ResNet50(weights=None, include_top=False, input_tensor=x)
""",
    "vgg_no_pooling": "model = keras.applications.VGG16(weights=None, include_top=False)",
    "inception_resnet_max": ("model = keras.applications.InceptionResNetV2(weights=None, include_top=False, "
                             "pooling='max', input_shape=(139, 139, 3))"),
}


@pytest.mark.keras
@pytest.mark.parametrize("source", VARIANTS.values(), ids=VARIANTS.keys())
def test_family_arguments(source):
    k, s = assert_same(source)
    assert k.error is None


@pytest.mark.keras
@pytest.mark.parametrize("app", ["DenseNet121", "MobileNetV2", "ConvNeXtTiny", "NASNetMobile"])
def test_imagenet_weights_build_the_same_graph_without_download(app):
    """weights='imagenet' in shapewise: Keras's checks, no download, the graph Keras builds with weights=None."""
    k = run_keras(f"model = keras.applications.{app}(weights=None)")
    s = run_shapewise_api(f"model = keras.applications.{app}(weights='imagenet')")
    assert_same("", keras_outcome=k, shapewise_outcome=s)


def test_efficientnet_imagenet_adds_keras_rescaling():
    """With weights='imagenet', Keras's EfficientNet adds one more Rescaling (by 1/sqrt(ImageNet variance))."""
    import shapewise.keras as sk

    sk.clear_session()
    plain = [layer.name for layer in sk.applications.EfficientNetB0(weights=None).layers]
    sk.clear_session()
    imagenet = [layer.name for layer in sk.applications.EfficientNetB0(weights="imagenet").layers]
    assert imagenet[:4] == ["input_layer", "rescaling", "normalization", "rescaling_1"]
    assert [n for n in imagenet if n != "rescaling_1"] == plain

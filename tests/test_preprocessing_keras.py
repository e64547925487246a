"""Differential tests of the preprocessing and augmentation layers against real Keras (keras.layers.preprocessing).

The configurations are those of Keras's own tests (keras/src/layers/preprocessing/**/*_test.py), plus the inputs
that are not images, which each layer's compute_output_shape reads in its own way. Besides what the oracle compares
(names, shapes, weights, counts), every layer's output dtype is compared too: these layers cast (an int image
comes out float32, a lookup gives int64, Discretization int32).

The string layers (TextVectorization, StringLookup, IntegerLookup, Hashing, HashedCrossing) need TensorFlow in real
Keras, whatever the backend (their tables are tf.lookup tables): the oracle extra installs tensorflow-cpu for them.
"""

import os

import pytest
from oracle import Outcome, assert_same, describe_keras, describe_shapewise, real_keras


def _img(layer, shape=(8, 8, 3), dtype="float32"):
    return f"model = keras.Sequential([keras.Input({shape!r}, dtype={dtype!r}), layers.{layer}])"


CASES = {
    # Resizing (resizing_test: 6x6 from 12x12 / channels_first, crop/pad to aspect ratio, every interpolation)
    "resizing": _img("Resizing(6, 6)", (12, 12, 3)),
    "resizing_crop": _img("Resizing(6, 6, crop_to_aspect_ratio=True)", (12, 10, 3)),
    "resizing_pad": _img("Resizing(6, 6, pad_to_aspect_ratio=True, interpolation='nearest', antialias=True)",
                         (12, 10, 3)),
    "resizing_channels_first": _img("Resizing(6, 7, data_format='channels_first')", (3, 12, 12)),
    "resizing_unknown_size": _img("Resizing(6, 6)", (None, None, 3)),
    "resizing_uint8": _img("Resizing(6, 6)", (12, 12, 3), "uint8"),
    "resizing_rank3_is_unbatched": _img("Resizing(4, 5)", (8, 3)),
    "resizing_rank5": _img("Resizing(4, 5)", (8, 8, 8, 3)),
    "resizing_rank1_fails": _img("Resizing(4, 5)", (8,)),
    "resizing_float16": _img("Resizing(4, 5, dtype='float16')", (8, 8, 3)),
    "resizing_bad_data_format_fails": _img("Resizing(4, 5, data_format='nhwc')"),
    # CenterCrop (center_crop_test)
    "center_crop": _img("CenterCrop(6, 6)", (12, 12, 3)),
    "center_crop_channels_first": _img("CenterCrop(7, 7, data_format='channels_first')", (3, 13, 13)),
    "center_crop_upsizes": _img("CenterCrop(4, 5)", (2, 2, 3)),
    "center_crop_unbatched": _img("CenterCrop(4, 5)", (8, 3)),
    "center_crop_rank5_fails": _img("CenterCrop(4, 5)", (8, 8, 8, 3)),
    # RandomCrop (random_crop_test)
    "random_crop": _img("RandomCrop(2, 2)", (3, 4, 3)),
    "random_crop_channels_first": _img("RandomCrop(2, 2, data_format='channels_first')", (3, 3, 4)),
    "random_crop_rank5": _img("RandomCrop(4, 5)", (8, 8, 8, 3)),
    "random_crop_int": _img("RandomCrop(8, 8, seed=1337)", (12, 12, 3), "int32"),
    "random_crop_rank2_fails": _img("RandomCrop(4, 5)", (8,)),
    # RandomFlip (random_flip_test: the three modes)
    "random_flip": _img("RandomFlip()"),
    "random_flip_horizontal": _img("RandomFlip('horizontal', seed=42)", (2, 3)),
    "random_flip_vertical_cf": _img("RandomFlip(mode='vertical', data_format='channels_first')", (3, 8, 8)),
    "random_flip_int": _img("RandomFlip()", (8, 8, 3), "int32"),
    "random_flip_int_dtype": _img("RandomFlip(dtype='int32')", (8, 8, 3), "int32"),
    # RandomRotation (random_rotation_test)
    "random_rotation": _img("RandomRotation(0.2)"),
    "random_rotation_range": _img("RandomRotation((-0.5, 0.25), fill_mode='constant', interpolation='nearest', "
                                  "fill_value=1.0)", (4, 4, 1)),
    "random_rotation_factor_fails": _img("RandomRotation(2.0)"),
    "random_rotation_fill_mode_fails": _img("RandomRotation(0.2, fill_mode='mirror')"),
    "random_rotation_interpolation_fails": _img("RandomRotation(0.2, interpolation='bicubic')"),
    # RandomZoom (random_zoom_test)
    "random_zoom": _img("RandomZoom(-0.2, -0.3)", (3, 4)),
    "random_zoom_tuple": _img("RandomZoom(height_factor=(0.5, 0.5), width_factor=(0.8, 0.8), "
                              "interpolation='bilinear', fill_mode='constant')", (5, 5, 1)),
    "random_zoom_height_only": _img("RandomZoom(0.5)", (8, 8, 3), "uint8"),
    "random_zoom_factor_fails": _img("RandomZoom(-1.0)"),
    "random_zoom_width_fails": _img("RandomZoom(0.1, 1.5)"),
    # RandomTranslation (random_translation_test)
    "random_translation": _img("RandomTranslation(0.2, 0.1)", (3, 4)),
    "random_translation_cf": _img("RandomTranslation((-0.2, -0.2), 0.0, fill_mode='constant', "
                                  "data_format='channels_first')", (1, 5, 4)),
    "random_translation_fails": _img("RandomTranslation(1.5, 0.1)"),
    "random_translation_fill_fails": _img("RandomTranslation(0.5, 0.1, fill_mode='mirror')"),
    # RandomContrast, RandomBrightness
    "random_contrast": _img("RandomContrast(0.5, seed=1)", (8, 8, 3)),
    "random_contrast_tuple": _img("RandomContrast((0.1, 0.2), value_range=(0, 1))", (8,)),
    "random_contrast_fails": _img("RandomContrast(1.5)"),
    "random_contrast_negative_fails": _img("RandomContrast(-0.1)"),
    "random_brightness": _img("RandomBrightness(0.2, value_range=(0, 1))"),
    "random_brightness_int": _img("RandomBrightness([-0.2, 0.4])", (8, 8, 3), "int32"),
    "random_brightness_fails": _img("RandomBrightness(2.0)"),
    "random_brightness_value_range_fails": _img("RandomBrightness(0.2, value_range=(0, 1, 2))"),
    # the other image layers Keras 3.15.1 exports
    "auto_contrast": _img("AutoContrast(value_range=(0, 1))"),
    "aug_mix": _img("AugMix(value_range=(0, 1), num_chains=2, chain_depth=(1, 2))"),
    "aug_mix_factor_fails": _img("AugMix(factor=1.5)"),
    "rand_augment": _img("RandAugment(value_range=(0, 1), num_ops=3, factor=0.3)", (16, 16, 3)),
    "clahe": _img("ContrastLimitedAdaptiveHistogramEqualization(value_range=(0, 255), clip_limit=2.0)", (16, 16, 1)),
    "cut_mix": _img("CutMix(factor=0.5)"),
    "mix_up": _img("MixUp(alpha=0.4)"),
    "equalization_in_a_model_fails": _img("Equalization(bins=128)", (8, 8, 3), "int32"),
    "max_num_bounding_boxes": _img("MaxNumBoundingBoxes(max_number=5)"),
    "random_color_degeneration": _img("RandomColorDegeneration(0.5)"),
    "random_color_degeneration_unbatched": _img("RandomColorDegeneration(0.5)", (8, 3)),
    "random_color_degeneration_gray_fails": _img("RandomColorDegeneration(0.5)", (8, 8, 1)),
    "random_color_degeneration_rank5_fails": _img("RandomColorDegeneration(0.5)", (8, 8, 8, 3)),
    "random_color_jitter": _img("RandomColorJitter(value_range=(0, 1), brightness_factor=0.2, contrast_factor=0.3, "
                                "saturation_factor=0.4, hue_factor=0.5)"),
    "random_color_jitter_fails": _img("RandomColorJitter(contrast_factor=1.5)"),
    "random_elastic_transform": _img("RandomElasticTransform(factor=0.5, scale=0.4, fill_mode='constant')"),
    "random_erasing": _img("RandomErasing(factor=0.5, scale=(0.1, 0.2), fill_value=0.0)"),
    "random_gaussian_blur": _img("RandomGaussianBlur(factor=0.5, kernel_size=5, sigma=0.5)"),
    "random_gaussian_blur_sigma_fails": _img("RandomGaussianBlur(sigma=2.0)"),
    "random_gaussian_blur_even_fails": _img("RandomGaussianBlur(kernel_size=4)"),
    "random_grayscale_keeps_dtype": _img("RandomGrayscale(factor=1.0)", (8, 8, 3), "uint8"),
    "random_grayscale_fails": _img("RandomGrayscale(factor=1.5)"),
    "random_hue": _img("RandomHue(0.3, value_range=(0, 1))"),
    "random_invert": _img("RandomInvert(factor=0.5)"),
    "random_perspective": _img("RandomPerspective(factor=0.5, scale=0.3)"),
    "random_perspective_scale_fails": _img("RandomPerspective(scale=1.5)"),
    "random_posterization": _img("RandomPosterization(4)", (8, 8, 3), "uint8"),
    "random_saturation": _img("RandomSaturation((0.2, 0.8), value_range=(0, 1))"),
    "random_sharpness": _img("RandomSharpness(0.5)"),
    "random_shear": _img("RandomShear(x_factor=0.2, y_factor=(0.1, 0.3))"),
    "random_shear_fails": _img("RandomShear(x_factor=1.5)"),
    "solarization": _img("Solarization(addition_factor=0.5, threshold_factor=0.2, value_range=(0, 1))"),
    "solarization_fails": _img("Solarization(addition_factor=1.5)"),
    "rescaling_uint8": _img("Rescaling(1.0 / 255)", (8, 8, 3), "uint8"),
    "pipeline": _img("Pipeline([layers.RandomFlip(), layers.Resizing(4, 4)])"),
    "pipeline_with_weights": _img("Pipeline([layers.Dense(4), layers.Resizing(4, 4)])"),
    # CategoryEncoding (category_encoding_test: the three modes, rank 0 to 3)
    "category_encoding_multi_hot": _img("CategoryEncoding(num_tokens=4)", (3,), "int32"),
    "category_encoding_count": _img("CategoryEncoding(num_tokens=6, output_mode='count')", (2, 3), "int32"),
    "category_encoding_one_hot": _img("CategoryEncoding(num_tokens=4, output_mode='one_hot')", (3,), "int32"),
    "category_encoding_one_hot_last_1": _img("CategoryEncoding(num_tokens=4, output_mode='one_hot')", (1,),
                                             "int32"),
    "category_encoding_one_hot_rank0": _img("CategoryEncoding(num_tokens=4, output_mode='one_hot')", (), "int32"),
    "category_encoding_one_hot_rank3": _img("CategoryEncoding(num_tokens=4, output_mode='one_hot')", (2, 3),
                                            "int32"),
    "category_encoding_binary": _img("CategoryEncoding(num_tokens=5, output_mode='binary', dtype='int32')", (2, 3),
                                     "int32"),
    "category_encoding_no_tokens_fails": _img("CategoryEncoding()", (3,)),
    "category_encoding_zero_fails": _img("CategoryEncoding(num_tokens=0)", (3,)),
    "category_encoding_mode_fails": _img("CategoryEncoding(num_tokens=3, output_mode='tf_idf')", (3,)),
    # Discretization (discretization_test)
    "discretization": _img("Discretization(bin_boundaries=[0.0, 0.5, 1.0])", (3,)),
    "discretization_num_bins": _img("Discretization(num_bins=5)", (2, 3)),
    "discretization_one_hot": _img("Discretization(bin_boundaries=[0.0, 0.5, 1.0], output_mode='one_hot')", (3,)),
    "discretization_one_hot_last_1": _img("Discretization(bin_boundaries=[0.0, 1.0], output_mode='one_hot')",
                                          (1,)),
    "discretization_multi_hot": _img("Discretization(bin_boundaries=[0.0, 1.0], output_mode='multi_hot')", (3,)),
    "discretization_count_rank3": _img("Discretization(bin_boundaries=[0.0, 1.0], output_mode='count')", (2, 3)),
    "discretization_int_input": _img("Discretization(bin_boundaries=[0.0, 1.0], dtype='float32')", (3,), "int32"),
    "discretization_both_fails": _img("Discretization(bin_boundaries=[0.0], num_bins=3)", (3,)),
    "discretization_none_fails": _img("Discretization()", (3,)),
    "discretization_mode_fails": _img("Discretization(num_bins=3, output_mode='tf_idf')", (3,)),
    # MelSpectrogram, STFTSpectrogram (their tests: 16 kHz audio, the seven modes, both paddings and formats)
    "mel_spectrogram": _img("MelSpectrogram()", (16000,)),
    "mel_spectrogram_small": _img("MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=20)", (1000,)),
    "mel_spectrogram_unknown_length": _img("MelSpectrogram(num_mel_bins=80)", (None,)),
    "mel_spectrogram_fails": _img("MelSpectrogram(fft_length=64, sequence_length=128)", (1000,)),
    "stft": _img("STFTSpectrogram()", (1000, 1)),
    "stft_two_channels": _img("STFTSpectrogram(mode='stft', frame_length=64, frame_step=16, fft_length=128)",
                              (1000, 2)),
    "stft_real_same": _img("STFTSpectrogram(mode='real', padding='same')", (1000, 1)),
    "stft_imag_expand": _img("STFTSpectrogram(mode='imag', expand_dims=True)", (1000, 3)),
    "stft_channels_first": _img("STFTSpectrogram(mode='psd', data_format='channels_first')", (2, 1000)),
    "stft_channels_first_expand": _img("STFTSpectrogram(mode='angle', data_format='channels_first', "
                                       "expand_dims=True)", (2, 1000)),
    "stft_fft_length": _img("STFTSpectrogram(mode='magnitude', fft_length=300)", (1000, 1)),
    "stft_unknown_length": _img("STFTSpectrogram(frame_length=128)", (None, 1)),
    "stft_unknown_channels_fails": _img("STFTSpectrogram(data_format='channels_first')", (None, 1000)),
    "stft_unknown_channels_last_fails": _img("STFTSpectrogram(expand_dims=True)", (1000, None)),
    "stft_too_short_fails": _img("STFTSpectrogram()", (200, 1)),
    "stft_rank2_fails": _img("STFTSpectrogram()", (1000,)),
    "stft_mode_fails": _img("STFTSpectrogram(mode='power')", (1000, 1)),
    "stft_step_fails": _img("STFTSpectrogram(frame_step=300)", (1000, 1)),
    "stft_fft_fails": _img("STFTSpectrogram(fft_length=100)", (1000, 1)),
    "stft_padding_fails": _img("STFTSpectrogram(padding='causal')", (1000, 1)),
    # a typical image model's head
    "augmented_classifier": """
augment = keras.Sequential([layers.RandomFlip("horizontal"), layers.RandomRotation(0.1), layers.RandomZoom(0.1)])
inputs = keras.Input((180, 180, 3))
x = augment(inputs)
x = layers.Rescaling(1.0 / 255)(x)
x = layers.Conv2D(16, 3, padding="same", activation="relu")(x)
x = layers.MaxPooling2D()(x)
x = layers.Flatten()(x)
model = keras.Model(inputs, layers.Dense(5)(x))
""",
}

# The layers whose real Keras needs TensorFlow (tf.lookup tables, tf.strings).
TEXT_CASES = {
    # TextVectorization (text_vectorization_test)
    "text_vectorization_int": _img("TextVectorization(max_tokens=10, output_sequence_length=5)", (1,), "string"),
    "text_vectorization_ragged_length": _img("TextVectorization(max_tokens=10)", (1,), "string"),
    "text_vectorization_scalar_strings": _img("TextVectorization(max_tokens=10)", (), "string"),
    "text_vectorization_multi_hot": _img("TextVectorization(max_tokens=10, output_mode='multi_hot')", (1,),
                                         "string"),
    "text_vectorization_multi_hot_padded": _img("TextVectorization(max_tokens=10, output_mode='multi_hot', "
                                                "pad_to_max_tokens=True)", (), "string"),
    "text_vectorization_count_vocab": _img("TextVectorization(vocabulary=['a', 'b', 'c'], output_mode='count')",
                                           (1,), "string"),
    "text_vectorization_one_hot_no_split": _img("TextVectorization(vocabulary=['a', 'b', 'c'], "
                                                "output_mode='one_hot', split=None)", (1,), "string"),
    "text_vectorization_tf_idf": _img("TextVectorization(vocabulary=['a', 'b'], idf_weights=[0.5, 0.3], "
                                      "output_mode='tf_idf')", (), "string"),
    "text_vectorization_ngrams": _img("TextVectorization(max_tokens=20, ngrams=2, output_sequence_length=8, "
                                      "standardize='lower', split='character')", (1,), "string"),
    "text_vectorization_length_fails": _img("TextVectorization(output_mode='count', output_sequence_length=4)",
                                            (1,), "string"),
    "text_vectorization_mode_fails": _img("TextVectorization(output_mode='bag')", (1,), "string"),
    "text_vectorization_ngrams_fails": _img("TextVectorization(ngrams='2')", (1,), "string"),
    # StringLookup / IntegerLookup (string_lookup_test, integer_lookup_test, index_lookup_test)
    "string_lookup": _img("StringLookup(vocabulary=['a', 'b', 'c'])", (3,), "string"),
    "string_lookup_one_hot": _img("StringLookup(vocabulary=['a', 'b', 'c'], output_mode='one_hot')", (1,),
                                  "string"),
    "string_lookup_one_hot_rank2": _img("StringLookup(vocabulary=['a', 'b'], output_mode='one_hot')", (3,),
                                        "string"),
    "string_lookup_multi_hot_mask": _img("StringLookup(vocabulary=['a', 'b', 'c'], output_mode='multi_hot', "
                                         "mask_token='')", (3,), "string"),
    "string_lookup_int_mask_oov": _img("StringLookup(vocabulary=['', '[UNK]', 'a', 'b'], mask_token='', "
                                       "output_mode='count')", (3,), "string"),
    "string_lookup_adapt_later": _img("StringLookup(max_tokens=10, output_mode='multi_hot')", (3,), "string"),
    "string_lookup_pad_to_max": _img("StringLookup(max_tokens=10, output_mode='multi_hot', pad_to_max_tokens=True)",
                                     (3,), "string"),
    "string_lookup_invert": _img("StringLookup(vocabulary=['a', 'b', 'c'], invert=True)", (3,), "int64"),
    "string_lookup_tf_idf": _img("StringLookup(vocabulary=['a', 'b'], idf_weights=[0.2, 0.4], "
                                 "output_mode='tf_idf', num_oov_indices=2)", (3,), "string"),
    "string_lookup_repeated_fails": _img("StringLookup(vocabulary=['a', 'a'])", (3,), "string"),
    "string_lookup_max_tokens_fails": _img("StringLookup(max_tokens=1)", (3,), "string"),
    "string_lookup_too_big_fails": _img("StringLookup(max_tokens=3, vocabulary=['a', 'b', 'c'])", (3,), "string"),
    "string_lookup_invert_mode_fails": _img("StringLookup(vocabulary=['a'], invert=True, output_mode='count')",
                                            (3,), "int64"),
    "string_lookup_pad_fails": _img("StringLookup(pad_to_max_tokens=True)", (3,), "string"),
    "integer_lookup": _img("IntegerLookup(vocabulary=[12, 36, 1138, 42])", (3,), "int64"),
    "integer_lookup_count_oov2": _img("IntegerLookup(vocabulary=[1, 2, 3], output_mode='count', num_oov_indices=2)",
                                      (3,), "int64"),
    "integer_lookup_mask_multi_hot": _img("IntegerLookup(vocabulary=[1, 2, 3], mask_token=0, "
                                          "output_mode='multi_hot')", (3,), "int64"),
    "integer_lookup_oov_fails": _img("IntegerLookup(num_oov_indices=-1)", (3,), "int64"),
    "integer_lookup_dtype_fails": _img("IntegerLookup(vocabulary_dtype='int32')", (3,), "int64"),
    # Hashing (hashing_test)
    "hashing_strings": _img("Hashing(num_bins=3)", (3,), "string"),
    "hashing_ints_salt": _img("Hashing(num_bins=3, salt=[133, 137])", (3,), "int64"),
    "hashing_mask": _img("Hashing(num_bins=3, mask_value='')", (1,), "string"),
    "hashing_one_hot": _img("Hashing(num_bins=3, output_mode='one_hot')", (1,), "string"),
    "hashing_multi_hot": _img("Hashing(num_bins=5, output_mode='multi_hot')", (3,), "string"),
    "hashing_count_int32": _img("Hashing(num_bins=5, output_mode='count', dtype='int32')", (3,), "string"),
    "hashing_int32": _img("Hashing(num_bins=5, dtype='int32')", (3,), "string"),
    "hashing_bins_fails": _img("Hashing(num_bins=0)", (3,), "string"),
    "hashing_float_int_mode_fails": _img("Hashing(num_bins=3, dtype='float32')", (3,), "string"),
    "hashing_salt_fails": _img("Hashing(num_bins=3, salt='x')", (3,), "string"),
    # HashedCrossing (hashed_crossing_test)
    "hashed_crossing": """
a = keras.Input((1,), dtype="string"); b = keras.Input((1,), dtype="int64")
model = keras.Model([a, b], layers.HashedCrossing(num_bins=5)([a, b]))
""",
    "hashed_crossing_one_hot": """
a = keras.Input((1,), dtype="string"); b = keras.Input((1,), dtype="string")
model = keras.Model([a, b], layers.HashedCrossing(num_bins=5, output_mode="one_hot")([a, b]))
""",
    "hashed_crossing_one_hot_rank2": """
a = keras.Input((2,), dtype="string"); b = keras.Input((2,), dtype="string")
model = keras.Model([a, b], layers.HashedCrossing(num_bins=5, output_mode="one_hot")([a, b]))
""",
    "hashed_crossing_mode_fails": """
a = keras.Input((1,), dtype="string"); b = keras.Input((1,), dtype="string")
model = keras.Model([a, b], layers.HashedCrossing(num_bins=5, output_mode="multi_hot")([a, b]))
""",
    "text_classifier": """
vectorize = layers.TextVectorization(max_tokens=20000, output_sequence_length=500)
inputs = keras.Input((1,), dtype="string")
x = vectorize(inputs)
x = layers.Embedding(20000 + 1, 128)(x)
x = layers.GlobalAveragePooling1D()(x)
model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x))
""",
}


def _dtypes(model):
    out = []
    for layer in model.layers:
        nodes = layer._inbound_nodes
        if nodes:
            tensors = nodes[-1].output_tensors if hasattr(nodes[-1], "output_tensors") else []
            out.append((layer.name, [str(t.dtype) for t in tensors]))
    return out


def _run(module, layers, source, describe, errors):
    if hasattr(module, "backend") and hasattr(module.backend, "clear_session"):
        module.backend.clear_session()
    else:
        module.clear_session()
    namespace = {"keras": module, "layers": layers, "__name__": "__case__"}
    try:
        exec(compile(source, "<case>", "exec"), namespace)  # our own test source
    except errors as e:
        return Outcome(error=e), None
    model = namespace["model"]
    return Outcome([describe(model)]), _dtypes(model)


def check(source):
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    keras = real_keras()
    k, k_dtypes = _run(keras, keras.layers, source, describe_keras, Exception)
    s, s_dtypes = _run(sk, sk.layers, source, describe_shapewise, (ShapewiseError, AttributeError))
    assert_same(source, k, s)
    assert k_dtypes == s_dtypes, f"output dtypes differ\n  keras:     {k_dtypes}\n  shapewise: {s_dtypes}\n{source}"


@pytest.mark.keras
@pytest.mark.parametrize("source", CASES.values(), ids=CASES.keys())
def test_matches_keras(source):
    check(source)


@pytest.mark.keras
@pytest.mark.parametrize("source", TEXT_CASES.values(), ids=TEXT_CASES.keys())
def test_text_layers_match_keras(source):
    check(source)


# Compute: the multiply-accumulates each layer declares, against torch's FlopCounterMode on the real Keras layer in
# one training-mode forward (batch 2). The augmentations that warp or filter do 9 MACs per output value; the
# spectrograms a conv1d (STFT) or the mel filter bank's matmul; LoRA one more matmul (a × b) per call.
FLOP_CASES = {
    "random_rotation": ("layers.RandomRotation(0.2)", (8, 8, 3)),
    "random_zoom": ("layers.RandomZoom(0.2)", (8, 8, 3)),
    "random_translation": ("layers.RandomTranslation(0.1, 0.2)", (6, 8, 3)),
    "random_shear": ("layers.RandomShear(0.2, 0.2)", (8, 8, 3)),
    "random_gaussian_blur": ("layers.RandomGaussianBlur()", (16, 16, 3)),
    "random_sharpness": ("layers.RandomSharpness(0.3)", (16, 16, 3)),
    "random_flip": ("layers.RandomFlip()", (8, 8, 3)),
    "random_contrast": ("layers.RandomContrast(0.2)", (8, 8, 3)),
    "resizing": ("layers.Resizing(4, 5)", (8, 8, 3)),
    "random_crop": ("layers.RandomCrop(4, 5)", (8, 8, 3)),
    "stft": ("layers.STFTSpectrogram()", (1000, 1)),
    "stft_real_two_channels": ("layers.STFTSpectrogram(mode='real', frame_length=64, frame_step=16)", (1000, 2)),
    "mel": ("layers.MelSpectrogram()", (16000,)),
    "mel_small": ("layers.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=20)", (1000,)),
    "dense_lora": ("layers.Dense(5, lora_rank=2)", (7,)),
    "dense_lora_rank3": ("layers.Dense(5, lora_rank=2)", (4, 7)),
    "conv2d_lora": ("layers.Conv2D(5, 3, lora_rank=2)", (6, 6, 4)),
}


@pytest.mark.keras
@pytest.mark.parametrize("case", FLOP_CASES.values(), ids=FLOP_CASES.keys())
def test_flops_match_torch(case):
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    import shapewise.keras as sk
    from shapewise.compute import Settings
    from shapewise.report import model_report

    layer_src, shape = case
    keras = real_keras()
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(shape), eval(layer_src, {"layers": keras.layers})])  # our own table
    x = torch.rand((2, *shape)) * 10
    with FlopCounterMode(display=False) as counter:
        model(x, training=True)
    sk.clear_session()
    mine = sk.Sequential([sk.Input(shape), eval(layer_src, {"layers": sk.layers})])
    assert model_report(mine).compute(Settings(batch=2)).compute["flops"] == counter.get_total_flops(), layer_src


# Bad arguments: every argument of the less common image, encoding and audio layers, given values Keras's own tests
# give (out of range, the wrong type, a bad pair) and a seeded random draw from a pool of such values. Keras either
# builds the layer or refuses it (at construction, build or first call; where a Sequential model swallows the
# error and leaves the layer unbuilt, that counts as refused): shapewise does the same, its refusal a clear error
# naming the layer and what it received.
_ARGUMENT_LAYERS = {
    "AutoContrast": ({}, (8, 8, 3), "float32"), "AugMix": ({}, (8, 8, 3), "float32"),
    "RandAugment": ({}, (16, 16, 3), "float32"),
    "ContrastLimitedAdaptiveHistogramEqualization": ({"value_range": (0, 255)}, (16, 16, 1), "float32"),
    "CutMix": ({}, (8, 8, 3), "float32"), "MixUp": ({}, (8, 8, 3), "float32"),
    "MaxNumBoundingBoxes": ({"max_number": 5}, (8, 8, 3), "float32"),
    "RandomColorDegeneration": ({"factor": 0.5}, (8, 8, 3), "float32"),
    "RandomColorJitter": ({}, (8, 8, 3), "float32"), "RandomElasticTransform": ({}, (8, 8, 3), "float32"),
    "RandomErasing": ({}, (8, 8, 3), "float32"), "RandomGaussianBlur": ({}, (16, 16, 3), "float32"),
    "RandomGrayscale": ({}, (8, 8, 3), "float32"), "RandomHue": ({"factor": 0.3}, (8, 8, 3), "float32"),
    "RandomInvert": ({}, (8, 8, 3), "float32"), "RandomPerspective": ({}, (8, 8, 3), "float32"),
    "RandomPosterization": ({"factor": 4}, (8, 8, 3), "uint8"),
    "RandomSaturation": ({"factor": 0.5}, (8, 8, 3), "float32"),
    "RandomSharpness": ({"factor": 0.5}, (8, 8, 3), "float32"), "RandomShear": ({}, (8, 8, 3), "float32"),
    "Solarization": ({}, (8, 8, 3), "float32"), "RandomFlip": ({}, (8, 8, 3), "float32"),
    "RandomRotation": ({"factor": 0.2}, (8, 8, 3), "float32"),
    "RandomZoom": ({"height_factor": 0.2}, (8, 8, 3), "float32"),
    "RandomTranslation": ({"height_factor": 0.2, "width_factor": 0.1}, (8, 8, 3), "float32"),
    "RandomContrast": ({"factor": 0.2}, (8, 8, 3), "float32"),
    "RandomBrightness": ({"factor": 0.2}, (8, 8, 3), "float32"),
    "RandomCrop": ({"height": 4, "width": 4}, (8, 8, 3), "float32"),
    "Resizing": ({"height": 4, "width": 4}, (8, 8, 3), "float32"),
    "CenterCrop": ({"height": 4, "width": 4}, (8, 8, 3), "float32"),
    "Rescaling": ({"scale": 0.5}, (8, 8, 3), "float32"),
    "CategoryEncoding": ({"num_tokens": 4}, (3,), "int32"),
    "Discretization": ({"bin_boundaries": [0.0, 1.0]}, (3,), "float32"),
    "MelSpectrogram": ({}, (2000,), "float32"), "STFTSpectrogram": ({}, (1000, 1), "float32"),
    "Normalization": ({}, (4,), "float32"),
}
_BAD_VALUES = [-1, 0, 1, 2, 0.5, 1.5, -0.5, 2.0, 300, "x", "constant", (0.5, 0.2), (-0.2, 0.3), (0, 1), (0, 1, 2),
               (1.5, 2.0), [0.1, 0.2], None, True, (0, 255), (-1.0, 1.0)]
_NOT_SWEPT = {"self", "kwargs", "name", "seed", "dtype", "args"}
#: Keras's own tests' bad arguments (image_preprocessing/*_test.py, stft_spectrogram_test, mel_spectrogram_test)
_KERAS_TEST_ARGUMENTS = [
    ("RandomGaussianBlur", {"kernel_size": 4}), ("RandomGaussianBlur", {"sigma": (0.5, 1.5)}),
    ("RandomPerspective", {"scale": 1.5}), ("RandomGrayscale", {"factor": 1.5}), ("RandomErasing", {"scale": 2}),
    ("RandomElasticTransform", {"fill_mode": "mirror"}), ("AugMix", {"interpolation": "bicubic"}),
    ("STFTSpectrogram", {"window": "not-a-window"}), ("STFTSpectrogram", {"periodic": "yes"}),
    ("STFTSpectrogram", {"frame_length": 1}), ("MelSpectrogram", {"sequence_stride": 0}),
    ("MelSpectrogram", {"num_mel_bins": None}), ("Resizing", {"height": None}), ("CenterCrop", {"width": 2.5}),
    ("CategoryEncoding", {"num_tokens": 2.0}), ("Normalization", {"axis": "x"}),
    ("MaxNumBoundingBoxes", {"max_number": "5"}), ("RandomColorDegeneration", {"factor": -1}),
]
#: how many random (layer, argument, value) configurations to draw
N_BAD_ARGUMENTS = int(os.environ.get("SHAPEWISE_BAD_ARGUMENTS", "80"))


def _argument_cases():
    import inspect
    import random

    keras = real_keras()
    pool = []
    for name, (required, shape, dtype) in _ARGUMENT_LAYERS.items():
        for arg in inspect.signature(getattr(keras.layers, name).__init__).parameters:
            if arg not in _NOT_SWEPT:
                pool += [(name, {**required, arg: value}) for value in _BAD_VALUES]
    drawn = random.Random(10).sample(pool, N_BAD_ARGUMENTS)
    tests = [(name, {**_ARGUMENT_LAYERS[name][0], **kw}) for name, kw in _KERAS_TEST_ARGUMENTS]
    return tests + drawn


def _build_layer(module, name, kwargs, shape, dtype):
    """Build ``layers.name(**kwargs)`` on an input of that shape and dtype (a list of (shape, dtype) pairs: a
    functional model of that many inputs, the layer called on their list); (error, model)."""
    from shapewise.errors import ShapewiseError

    if module is real_keras():  # without its gc.collect (half a second a case)
        module.backend.clear_session(free_memory=False)
    else:
        module.clear_session()
    try:
        layer = getattr(module.layers, name)(**kwargs)
        if isinstance(shape, list):
            inputs = [module.Input(s, dtype=d) for s, d in shape]
            model = module.Model(inputs, layer(inputs))
        else:
            model = module.Sequential([module.Input(shape, dtype=dtype), layer])
    except ShapewiseError as e:
        return e, None
    except Exception as e:  # noqa: BLE001 - Keras's refusal (shapewise's own would be a bug, checked below)
        return e, None
    if not layer.built:  # Keras's Sequential swallowed the build's error
        return RuntimeError("unbuilt"), None
    return None, model


def _compare_argument_case(name, kwargs, shape, dtype, wrong, dtypes=False):
    import shapewise.keras as sk
    from shapewise.errors import ShapewiseError

    keras = real_keras()
    k_error, k_model = _build_layer(keras, name, kwargs, shape, dtype)
    s_error, s_model = _build_layer(sk, name, kwargs, shape, dtype)
    case = f"layers.{name}(**{kwargs!r}) on {shape} {dtype or ''}"
    if s_error is not None and not isinstance(s_error, ShapewiseError):
        wrong.append(f"{case}: a Python error, not shapewise's: {s_error!r}")
    elif (k_error is None) != (s_error is None):
        wrong.append(f"{case}: keras {k_error!r}, shapewise {s_error!r}")
    elif s_error is not None:
        text = str(s_error)
        if name not in text:
            wrong.append(f"{case}: the error does not name the layer: {text}")
    else:
        try:
            assert_same(case, Outcome([describe_keras(k_model)]), Outcome([describe_shapewise(s_model)]))
        except AssertionError as e:
            wrong.append(str(e))
        if dtypes and _dtypes(k_model) != _dtypes(s_model):
            wrong.append(f"{case}: output dtypes differ: keras {_dtypes(k_model)}, shapewise {_dtypes(s_model)}")


@pytest.mark.keras
def test_bad_arguments_fail_as_in_keras():
    wrong = []
    for name, kwargs in _argument_cases():
        _, shape, dtype = _ARGUMENT_LAYERS[name]
        _compare_argument_case(name, kwargs, shape, dtype, wrong)
    assert not wrong, "\n".join(wrong)


# The text and structured-data layers (and the spectrograms, from more configurations than above): the same
# sweep, from several starting configurations each (a layer's checks depend on the other arguments: tf_idf needs
# idf_weights, invert needs 'int', ...), every argument given a value from a pool of text-layer values, and the
# input itself varied (rank 0 to 3; strings, integers, floats), since these layers check what they are called on
# when they are built and called. The string layers' real Keras needs TensorFlow (the oracle-text extra).
_VOCAB = ["a", "b", "c"]
_TEXT_ARGUMENT_LAYERS = [
    ("TextVectorization", {}, (1,), "string"),
    ("TextVectorization", {"max_tokens": 10, "output_sequence_length": 4}, (1,), "string"),
    ("TextVectorization", {"vocabulary": _VOCAB, "output_mode": "count"}, (), "string"),
    ("TextVectorization", {"vocabulary": _VOCAB, "idf_weights": [0.1, 0.2, 0.3], "output_mode": "tf_idf"}, (1,),
     "string"),
    ("TextVectorization", {"max_tokens": 8, "output_mode": "multi_hot", "split": None}, (2,), "string"),
    ("StringLookup", {}, (3,), "string"),
    ("StringLookup", {"vocabulary": _VOCAB}, (3,), "string"),
    ("StringLookup", {"vocabulary": _VOCAB, "output_mode": "one_hot"}, (1,), "string"),
    ("StringLookup", {"max_tokens": 6, "output_mode": "multi_hot", "pad_to_max_tokens": True}, (2, 3), "string"),
    ("StringLookup", {"vocabulary": _VOCAB, "idf_weights": [0.1, 0.2, 0.3], "output_mode": "tf_idf"}, (3,),
     "string"),
    ("StringLookup", {"vocabulary": _VOCAB, "invert": True}, (3,), "int64"),
    ("IntegerLookup", {}, (3,), "int64"),
    ("IntegerLookup", {"vocabulary": [1, 2, 3]}, (3,), "int64"),
    ("IntegerLookup", {"vocabulary": [1, 2, 3], "output_mode": "count", "mask_token": 0}, (3,), "int64"),
    ("IntegerLookup", {"vocabulary": [1, 2, 3], "invert": True}, (3,), "int64"),
    ("Hashing", {"num_bins": 3}, (3,), "string"),
    ("Hashing", {"num_bins": 4, "output_mode": "multi_hot"}, (3,), "int64"),
    ("Hashing", {"num_bins": 4, "output_mode": "one_hot"}, (1,), "string"),
    ("HashedCrossing", {"num_bins": 5}, [((1,), "string"), ((1,), "int64")], None),
    ("HashedCrossing", {"num_bins": 5, "output_mode": "one_hot"}, [((2,), "string"), ((2,), "string")], None),
    ("CategoryEncoding", {"num_tokens": 4}, (3,), "int32"),
    ("CategoryEncoding", {"num_tokens": 4, "output_mode": "one_hot"}, (1,), "int64"),
    ("CategoryEncoding", {"num_tokens": 5, "output_mode": "count"}, (2, 3), "int32"),
    ("Discretization", {"bin_boundaries": [0.0, 1.0]}, (3,), "float32"),
    ("Discretization", {"num_bins": 4, "output_mode": "one_hot"}, (1,), "float32"),
    ("Discretization", {"bin_boundaries": [0.0, 0.5], "output_mode": "count"}, (2, 3), "float32"),
    ("Normalization", {}, (4,), "float32"),
    ("Normalization", {"mean": [0.0, 1.0, 2.0, 3.0], "variance": [1.0, 1.0, 2.0, 2.0]}, (4,), "float32"),
    ("Normalization", {"axis": (1, 2)}, (3, 4), "float32"),
    ("STFTSpectrogram", {"mode": "stft", "frame_length": 64, "frame_step": 16}, (1000, 2), "float32"),
    ("STFTSpectrogram", {"data_format": "channels_first", "expand_dims": True, "padding": "same"}, (2, 1000),
     "float32"),
    ("MelSpectrogram", {"fft_length": 64, "sequence_stride": 32, "num_mel_bins": 20}, (1000,), "float32"),
]
_TEXT_VALUES = [-1, 0, 1, 2, 3, 5, 1.5, 2.0, "", "a", "x", "[UNK]", "int", "one_hot", "multi_hot", "count",
                "tf_idf", "binary", "tf-idf", "whitespace", "character", "lower", "strip_punctuation", "farmhash",
                "floormod", None, True, False, ["a", "b", "c"], ["a", "a"], [], ["", "[UNK]", "a"], [1, 2, 3],
                [1, 1], [0.5, 0.3], [0.5, 0.3, 0.1], (1, 2), (0, 1, 2), [0.0, 1.0], [1.0, 0.0], (1, 3), "int32",
                "float32", "string"]
#: the input itself, swept as one more argument
_TEXT_INPUTS = [((), "string"), ((1,), "string"), ((3,), "string"), ((2, 3), "string"), ((2, 3, 4), "string"),
                ((1,), "int64"), ((3,), "int32"), ((2, 3), "int64"), ((3,), "float32"), ((1,), "float32"),
                ((), "int64"), ((None,), "string"), ((None, 3), "int64")]
_TEXT_NOT_SWEPT = {"self", "kwargs", "name", "args"}
#: the bad arguments of Keras's own tests (text_vectorization_test, string_lookup_test, integer_lookup_test,
#: index_lookup_test, hashing_test, hashed_crossing_test, category_encoding_test, discretization_test,
#: normalization_test), on the first configuration of their layer in the table above
_KERAS_TEXT_TEST_ARGUMENTS = [
    ("TextVectorization", {"output_mode": "count", "output_sequence_length": 2}),
    ("TextVectorization", {"ngrams": "a"}), ("TextVectorization", {"standardize": "bogus"}),
    ("TextVectorization", {"split": "bogus"}), ("TextVectorization", {"sparse": True}),
    ("TextVectorization", {"ragged": True}), ("TextVectorization", {"output_sequence_length": 2.5}),
    ("StringLookup", {"max_tokens": 1}), ("StringLookup", {"pad_to_max_tokens": True}),
    ("StringLookup", {"num_oov_indices": -1}), ("StringLookup", {"vocabulary": ["a", "a"]}),
    ("StringLookup", {"vocabulary": ["", "a"], "mask_token": ""}), ("StringLookup", {"oov_method": "farmhash"}),
    ("StringLookup", {"invert": True, "output_mode": "one_hot"}), ("StringLookup", {"sparse": True}),
    ("StringLookup", {"idf_weights": [0.1]}), ("StringLookup", {"output_mode": "tf_idf", "vocabulary": _VOCAB}),
    ("IntegerLookup", {"vocabulary_dtype": "int32"}), ("IntegerLookup", {"max_tokens": 1}),
    ("IntegerLookup", {"salt": 3}), ("IntegerLookup", {"vocabulary": [1, 1]}),
    ("Hashing", {"num_bins": 0}), ("Hashing", {"num_bins": None}), ("Hashing", {"num_bins": 3, "salt": "x"}),
    ("Hashing", {"num_bins": 3, "output_mode": "bag"}), ("Hashing", {"num_bins": 3, "sparse": True}),
    ("Hashing", {"num_bins": 3, "dtype": "float32"}),
    ("HashedCrossing", {"num_bins": 5, "output_mode": "multi_hot"}), ("HashedCrossing", {"num_bins": 5,
                                                                                        "sparse": True}),
    ("CategoryEncoding", {"num_tokens": None}), ("CategoryEncoding", {"num_tokens": 0}),
    ("CategoryEncoding", {"num_tokens": 4, "output_mode": "tf_idf"}),
    ("Discretization", {"bin_boundaries": None}), ("Discretization", {"num_bins": 3}),
    ("Discretization", {"output_mode": "bag"}), ("Discretization", {"sparse": True}),
    ("Normalization", {"mean": [1.0]}), ("Normalization", {"axis": 5}),
]
#: how many random (configuration, argument, value) cases to draw for the text and structured-data layers
N_TEXT_BAD_ARGUMENTS = int(os.environ.get("SHAPEWISE_TEXT_BAD_ARGUMENTS", "300"))


def _text_argument_cases():
    import inspect
    import random

    keras = real_keras()
    pool = []
    for name, base, shape, dtype in _TEXT_ARGUMENT_LAYERS:
        for arg in inspect.signature(getattr(keras.layers, name).__init__).parameters:
            if arg not in _TEXT_NOT_SWEPT:
                pool += [(name, {**base, arg: value}, shape, dtype) for value in _TEXT_VALUES]
        if not isinstance(shape, list):
            pool += [(name, base, s, d) for s, d in _TEXT_INPUTS]
        else:  # the crossed pair: one of the two inputs varied
            pool += [(name, base, [(s, d), shape[1]], None) for s, d in _TEXT_INPUTS]
    drawn = random.Random(int(os.environ.get("SHAPEWISE_SWEEP_SEED", "10"))).sample(pool, min(N_TEXT_BAD_ARGUMENTS,
                                                                                           len(pool)))
    first = {}
    for name, base, shape, dtype in _TEXT_ARGUMENT_LAYERS:
        first.setdefault(name, (base, shape, dtype))
    tests = [(name, {**first[name][0], **kw}, first[name][1], first[name][2]) for name, kw in
             _KERAS_TEXT_TEST_ARGUMENTS]
    return tests + drawn


@pytest.mark.keras
def test_text_bad_arguments_fail_as_in_keras():
    wrong = []
    for name, kwargs, shape, dtype in _text_argument_cases():
        _compare_argument_case(name, kwargs, shape, dtype, wrong, dtypes=True)
    assert not wrong, f"{len(wrong)} cases differ:\n" + "\n".join(wrong)

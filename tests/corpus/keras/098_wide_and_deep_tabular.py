# Written for this corpus following keras-io examples/structured_data/wide_deep_cross_networks.py (Keras 3), with
# the feature inputs made from a column table: one Input per numeric feature, Embeddings for categorical ones,
# a wide linear part and a deep part joined by concatenation.
import math
import keras
from keras import layers

NUMERIC_FEATURE_NAMES = ["Elevation", "Aspect", "Slope", "Horizontal_Distance_To_Hydrology"]
CATEGORICAL_FEATURES_WITH_VOCABULARY = {
    "Soil_Type": [str(i) for i in range(40)],
    "Wilderness_Area": ["area_1", "area_2", "area_3", "area_4"],
}
NUM_CLASSES = 7
hidden_units = [32, 32]
dropout_rate = 0.1


def create_model_inputs():
    inputs = {}
    for feature_name in NUMERIC_FEATURE_NAMES:
        inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="float32")
    for feature_name in CATEGORICAL_FEATURES_WITH_VOCABULARY:
        inputs[feature_name] = layers.Input(name=feature_name, shape=(), dtype="int32")
    return inputs


def encode_inputs(inputs, use_embedding=False):
    encoded_features = []
    for feature_name in inputs:
        if feature_name in CATEGORICAL_FEATURES_WITH_VOCABULARY:
            vocabulary = CATEGORICAL_FEATURES_WITH_VOCABULARY[feature_name]
            if use_embedding:
                embedding_dims = int(math.sqrt(len(vocabulary)))
                embedding = layers.Embedding(input_dim=len(vocabulary), output_dim=embedding_dims)
                encoded_feature = embedding(inputs[feature_name])
            else:
                encoded_feature = layers.CategoryEncoding(num_tokens=len(vocabulary), output_mode="one_hot")(
                    inputs[feature_name]
                )
        else:
            encoded_feature = layers.Reshape((1,))(inputs[feature_name])
        encoded_features.append(encoded_feature)
    return layers.concatenate(encoded_features)


def create_wide_and_deep_model():
    inputs = create_model_inputs()
    wide = encode_inputs(inputs)
    wide = layers.BatchNormalization()(wide)
    deep = encode_inputs(inputs, use_embedding=True)
    for units in hidden_units:
        deep = layers.Dense(units)(deep)
        deep = layers.BatchNormalization()(deep)
        deep = layers.ReLU()(deep)
        deep = layers.Dropout(dropout_rate)(deep)
    merged = layers.concatenate([wide, deep])
    outputs = layers.Dense(units=NUM_CLASSES, activation="softmax")(merged)
    return keras.Model(inputs=inputs, outputs=outputs)


wide_and_deep_model = create_wide_and_deep_model()
wide_and_deep_model.summary()

"""JSON, schema ``shapewise/1`` (see DESIGN.md). Deterministic: keys in a fixed order, no timestamps."""

import json


def render(result, explain=True, expand_nested=False):
    data = result.to_json()
    if not explain:
        for model in data["models"]:
            _strip(model)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _strip(model):
    for layer in model["layers"]:
        layer.pop("explanation", None)
        if "model" in layer:
            _strip(layer["model"])

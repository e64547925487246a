"""JSON, schema ``shapewise/1`` (see DESIGN.md). Deterministic: keys in a fixed order, no timestamps."""

import json


def render(result, explain=True, expand_nested=False, settings=None, columns=()):
    return json.dumps(result.to_json(explain, settings), indent=2, ensure_ascii=False) + "\n"

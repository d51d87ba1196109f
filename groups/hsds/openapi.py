"""The OpenAPI document: the HSDS 3.0 one from the schema folder, made self-contained.

Its response schemas point at the compiled schemas on GitHub; they are replaced by
local copies under components/schemas, so the document works offline.
"""

import copy
import json
from functools import cache

from groups.feeds.validate import load_schema

_REMOTE = "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/"


def _localize(node, needed: set):
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(_REMOTE):
            relative = ref[len(_REMOTE) :]
            needed.add(relative)
            name = relative.removesuffix(".json").replace("/", "_")
            return {**node, "$ref": f"#/components/schemas/{name}"}
        return {k: _localize(v, needed) for k, v in node.items()}
    if isinstance(node, list):
        return [_localize(v, needed) for v in node]
    return node


@cache
def _document_text(server_url: str) -> str:
    document = copy.deepcopy(load_schema("openapi.json"))
    needed: set = set()
    document = _localize(document, needed)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for relative in sorted(needed):
        schemas[relative.removesuffix(".json").replace("/", "_")] = load_schema(relative)
    document["servers"] = [{"url": server_url}]
    return json.dumps(document)


def document(server_url: str) -> str:
    return _document_text(server_url)

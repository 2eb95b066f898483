"""What the published OpenAPI contract says beyond the views' own signatures.

* :class:`ErrorOut` — the house error shape, declared on every route for 400/401/403/404/409.
* :func:`body_doc` — ``openapi_extra`` documenting a request body that the view reads itself
  (through :mod:`kefu.core.inputs` and an explicit schema) from a documentation-only Schema.
"""

from __future__ import annotations

import copy
from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    """``{"error": CODE, "message": TEXT, …}``; some errors add fields (``field``, ``order``)."""

    error: str
    message: str


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]), defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def body_doc(model: type[Schema], *, required: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a route whose body ``model`` documents (nested models inlined)."""
    raw = model.model_json_schema()
    schema = _inline(raw, raw.get("$defs", {}))
    return {"requestBody": {"required": required, "content": {"application/json": {"schema": schema}}}}

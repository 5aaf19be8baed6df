"""Request bodies that views read themselves still belong in the OpenAPI document.

The bulk check and the ingest endpoint parse their bodies by hand (a per-view size limit, and
per-event results instead of one failure for the whole batch), so ninja cannot see their schemas.
``request_body`` describes them from the same pydantic models the views validate with, and
``GateAPI`` adds those models to the document's components.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from pydantic import BaseModel

REF_TEMPLATE = "#/components/schemas/{model}"
_extra_components: dict[str, Any] = {}


def request_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template=REF_TEMPLATE)
    _extra_components.update(schema.pop("$defs", {}))
    _extra_components[model.__name__] = schema
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=model.__name__)}}
            },
        }
    }


class GateAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, definition in _extra_components.items():
            components.setdefault(name, definition)
        return schema

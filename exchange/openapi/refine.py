"""refine(document, app): Litestar's document made trustworthy for generated clients (see the package doc)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import msgspec
from litestar import Litestar

from exchange.openapi.enums import ENUM_FIELDS, ENUM_QUERY_PARAMETERS, NAMED_ENUMS
from exchange.openapi.events import EVENT_STREAM_DOCS
from exchange.openapi.operation_ids import OPERATION_IDS
from exchange.openapi.problems import FIELD_ERROR_SCHEMA, PROBLEM_SCHEMA, error_responses
from exchange.openapi.routes import Operation, operations_of
from exchange.openapi.spec_filters import spec_filter_parameters

__all__ = ["BEARER", "refine"]

BEARER = "BearerToken"
_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_PREFIXED = re.compile(r"^(?P<domain>[a-z]+)_schemas_(?P<name>\w+)$")
_REF = "#/components/schemas/"
_INTEGER_QUERY = {"limit": 1, "offset": 0}
"""Query parameters that are whole numbers, with their least value (the handlers read them as text)."""


def refine(raw: dict[str, Any], app: Litestar) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(raw)
    components = document.setdefault("components", {})
    schemas: dict[str, Any] = components.setdefault("schemas", {})
    _unique_schema_names(document, schemas)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["ProblemFieldError"] = FIELD_ERROR_SCHEMA
    for name, values in NAMED_ENUMS.items():
        schemas[name] = {"type": "string", "enum": list(values), "title": name}
    components["securitySchemes"] = {
        BEARER: {"type": "http", "scheme": "bearer", "description": "A token from POST /api/auth/token"}
    }
    for (schema_name, prop), enum_name in ENUM_FIELDS.items():
        properties = schemas.get(schema_name, {}).get("properties", {})
        if prop in properties:
            properties[prop] = _enum_ref_like(properties[prop], enum_name)
    operations = operations_of(app)
    for path, item in document.get("paths", {}).items():
        for method in _METHODS:
            if method in item:
                _refine_operation(path, method, item[method], operations.get((method, path)))
    for name, schema in list(schemas.items()):
        if name not in NAMED_ENUMS:
            schemas[name] = _named_enums_in(schema)
    document["paths"] = _named_enums_in(document.get("paths", {}))
    return document


def _unique_schema_names(document: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Litestar keys two structs of one name by module (`rfq_schemas_Quantity`) but titles both `Quantity`,
    so a generator makes one class of the two and drops everything using the other. Each gets a name
    of its own (`RfqQuantity`), used as its key and title."""
    renames: dict[str, str] = {}
    for key in list(schemas):
        if match := _PREFIXED.match(key):
            renames[key] = match["domain"].title() + match["name"]
    for old, new in renames.items():
        schemas[new] = schemas.pop(old)
    for key, schema in schemas.items():
        schema["title"] = key
    if renames:
        refs = {_REF + old: _REF + new for old, new in renames.items()}
        for node in _walk(document):
            if isinstance(node.get("$ref"), str) and node["$ref"] in refs:
                node["$ref"] = refs[node["$ref"]]


def _refine_operation(path: str, method: str, operation: dict[str, Any], route: Operation | None) -> None:
    operation["operationId"] = OPERATION_IDS.get((method, path), operation.get("operationId", ""))
    parameters: list[dict[str, Any]] = operation.setdefault("parameters", [])
    for parameter in parameters:
        if parameter.get("in") == "query":
            _refine_query_parameter(path, parameter)
    if (method, path) == ("get", "/api/lots"):
        parameters.extend(spec_filter_parameters())
    body = operation.get("requestBody")
    if body is not None:
        _optional_body(body)
    if path in EVENT_STREAM_DOCS:
        operation.update(EVENT_STREAM_DOCS[path])
    if route is None:
        return
    if route.auth == "required":
        operation["security"] = [{BEARER: []}]
    elif route.auth == "optional":
        operation["security"] = [{}, {BEARER: []}]
    else:
        operation["security"] = []
    responses = {status: answer for status, answer in operation.get("responses", {}).items() if status < "400"}
    responses.update(error_responses(route, has_body=body is not None, has_parameters=bool(parameters)))
    operation["responses"] = responses


def _refine_query_parameter(path: str, parameter: dict[str, Any]) -> None:
    name = parameter["name"]
    if name in _INTEGER_QUERY:
        schema = {"type": "integer", "minimum": _INTEGER_QUERY[name]}
        if description := parameter.get("description"):
            schema["description"] = description
        parameter["schema"] = schema
    enum_name = ENUM_QUERY_PARAMETERS.get((path, name))
    if enum_name is not None:
        parameter["schema"] = {"type": "array", "items": {"$ref": _REF + enum_name}}
        parameter["style"], parameter["explode"] = "form", True


def _optional_body(body: dict[str, Any]) -> None:
    """A body declared `X | None` is optional: say so, with X as its schema (not "X or null", required)."""
    for media in body.get("content", {}).values():
        schema = media.get("schema", {})
        choices = schema.get("oneOf")
        if isinstance(choices, list) and {"type": "null"} in choices:
            rest = [choice for choice in choices if choice != {"type": "null"}]
            media["schema"] = rest[0] if len(rest) == 1 else {"oneOf": rest}
            body["required"] = False


def _enum_ref_like(schema: dict[str, Any], enum_name: str) -> dict[str, Any]:
    """`schema` (a string, maybe nullable) as the named enum (nullable alike)."""
    ref = {"$ref": _REF + enum_name}
    choices = schema.get("oneOf")
    if isinstance(choices, list) and {"type": "null"} in choices:
        return {"oneOf": [ref, {"type": "null"}]}
    return ref


def _named_enums_in(node: Any) -> Any:
    """Inline enums holding exactly the values of a named one become references to it (one class, not three)."""
    if isinstance(node, list):
        return [_named_enums_in(item) for item in node]
    if not isinstance(node, dict):
        return node
    values = node.get("enum")
    if isinstance(values, list) and node.get("type") == "string":
        return _enum_schema(values)
    if isinstance(values, list) and sorted(node.get("type") or []) == ["null", "string"]:
        # `Literal[...] | None`, written as one nullable enum: a generator makes three identical enum
        # classes of it. "One of the enum, or null" gives one class (the named one when it is a known set).
        rest = {key: value for key, value in node.items() if key not in ("type", "enum")}
        choices = [value for value in values if value is not None]
        return {**rest, "oneOf": [_enum_schema(choices), {"type": "null"}]}
    return {key: _named_enums_in(value) for key, value in node.items()}


def _enum_schema(values: list[Any]) -> dict[str, Any]:
    for name, named in NAMED_ENUMS.items():
        if sorted(values) == sorted(named):
            return {"$ref": _REF + name}
    return {"type": "string", "enum": values}


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)

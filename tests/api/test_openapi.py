"""The OpenAPI document lists every /api/v1/ route with its methods."""

from __future__ import annotations

import re

import pytest

IGNORED_METHODS = {"HEAD", "OPTIONS"}


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")  # no login needed
    assert resp.status_code == 200 and resp.is_json
    return resp.get_json()


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_converter_syntax():
    assert (
        _openapi_path("/api/v1/submissions/<int:submission_id>")
        == "/api/v1/submissions/{submission_id}"
    )
    assert _openapi_path("/api/v1/x/<name>/y/<path:rest>") == "/api/v1/x/{name}/y/{rest}"


def test_document_basics(spec):
    assert spec["openapi"] == "3.1.0"
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert set(spec["paths"]) and all(p.startswith("/api/v1/") for p in spec["paths"])


def test_every_api_route_is_documented(app, spec):
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            routes.setdefault(_openapi_path(rule.rule), set()).update(
                m.lower() for m in rule.methods
            )
    assert set(routes) == set(spec["paths"])
    for path, methods in routes.items():
        documented = set(spec["paths"][path]) - {"parameters", "summary", "description"}
        required = methods - {m.lower() for m in IGNORED_METHODS}
        # HEAD and OPTIONS come free with Flask; document them only where they mean something.
        assert required <= documented <= methods, path


def test_path_parameters_are_declared(spec):
    for path, ops in spec["paths"].items():
        names = set(re.findall(r"{([^}]+)}", path))
        for method, op in ops.items():
            if not isinstance(op, dict) or method == "parameters":
                continue
            declared = {
                p["name"]
                for p in op.get("parameters", []) + ops.get("parameters", [])
                if p.get("in") == "path"
            }
            assert names == declared, f"{method.upper()} {path}"


def test_every_operation_has_responses(spec):
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method in {"parameters", "summary", "description"}:
                continue
            assert op.get("summary"), f"{method} {path}"
            assert op["responses"], f"{method} {path}"
            for status in op["responses"]:
                assert re.fullmatch(r"[1-5]\d\d|default", status), (path, method, status)


def _refs(node):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def test_refs_resolve(spec):
    for ref in _refs(spec):
        assert ref.startswith("#/components/schemas/"), ref
        assert ref.rsplit("/", 1)[1] in spec["components"]["schemas"], ref


def test_error_schema(spec):
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert set(error["properties"]["error"]["required"]) == {"code", "message"}

#!/usr/bin/env python3
"""Validates an OMS bundle against the four OMS v1.0 JSON Schemas.

Usage: validate_oms.py SCHEMA_DIR BUNDLE.json
Exit 0: valid; 1: invalid (reason on stderr); 3: jsonschema is not installed.
"""
import base64
import json
import os
import sys

try:
    import jsonschema
except ImportError:
    sys.exit(3)
try:  # jsonschema >= 4.18 resolves $ref through `referencing`
    from referencing import Registry, Resource
except ImportError:  # Debian 12's python3-jsonschema (4.10): a RefResolver store
    Registry = None

schema_dir, bundle_path = sys.argv[1], sys.argv[2]
schemas = {}
for name in ("bundle", "envelope", "statement", "predicate"):
    with open(os.path.join(schema_dir, f"{name}.schema.json")) as f:
        schemas[name] = json.load(f)
if Registry is not None:
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values())


def check(schema, doc):
    if Registry is not None:
        jsonschema.Draft202012Validator(schema, registry=registry).validate(doc)
        return
    resolver = jsonschema.RefResolver.from_schema(
        schema, store={s["$id"]: s for s in schemas.values()})
    jsonschema.Draft202012Validator(schema, resolver=resolver).validate(doc)


try:
    with open(bundle_path) as f:
        bundle = json.load(f)
    check(schemas["bundle"], bundle)
    statement = json.loads(base64.b64decode(bundle["dsseEnvelope"]["payload"]))
    check(schemas["statement"], statement)
except Exception as e:  # noqa: BLE001 - any failure means invalid
    print(f"invalid: {getattr(e, 'message', e)}", file=sys.stderr)
    sys.exit(1)

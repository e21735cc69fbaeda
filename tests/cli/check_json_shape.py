#!/usr/bin/env python3
# SPDX-License-Identifier: PostgreSQL
"""Checks JSON documents against a JSON Schema of the small subset
tests/cli/status.schema.json uses: type (one or a list), required,
properties, additionalProperties: false, items, enum, minimum, pattern.
A keyword outside that subset is an error, so the schema cannot silently
claim more than is checked. Written here (no python3-jsonschema) to keep
the test's dependencies to Debian's python3.

Usage: check_json_shape.py SCHEMA.json [FILE ...]   (no FILE: standard input;
each non-empty line of a file may also be one document, as --watch --json prints)
Exit 0 when every document matches; 1 with one line per mismatch otherwise.
"""
import json
import re
import sys

KNOWN = {"$comment", "type", "required", "properties", "additionalProperties", "items", "enum", "minimum",
         "pattern"}


def type_ok(value, name):
    if name == "null":
        return value is None
    if name == "boolean":
        return isinstance(value, bool)
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if name == "string":
        return isinstance(value, str)
    if name == "array":
        return isinstance(value, list)
    if name == "object":
        return isinstance(value, dict)
    raise ValueError(f"schema: unknown type {name}")


def check(value, schema, path, errors):
    unknown = set(schema) - KNOWN
    if unknown:
        raise ValueError(f"schema at {path}: unsupported keywords {sorted(unknown)}")
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        if not any(type_ok(value, t) for t in types):
            errors.append(f"{path}: {json.dumps(value)[:60]} is not {' or '.join(types)}")
            return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if "minimum" in schema and type_ok(value, "number") and value < schema["minimum"]:
        errors.append(f"{path}: {value} below {schema['minimum']}")
    if "pattern" in schema and isinstance(value, str) and not re.search(schema["pattern"], value):
        errors.append(f"{path}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{path}: missing {key}")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                check(item, props[key], f"{path}.{key}", errors)
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: undocumented field {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            check(item, schema["items"], f"{path}[{i}]", errors)


def documents(text):
    text = text.strip()
    try:
        yield json.loads(text)
    except json.JSONDecodeError:
        for line in text.splitlines():
            if line.strip():
                yield json.loads(line)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-3], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        schema = json.load(f)
    inputs = [open(p).read() for p in sys.argv[2:]] or [sys.stdin.read()]
    errors = []
    count = 0
    for text in inputs:
        for doc in documents(text):
            count += 1
            check(doc, schema, "$", errors)
    if count == 0:
        errors.append("no JSON document in the input")
    for e in errors:
        print(e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())

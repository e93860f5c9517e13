#!/usr/bin/python3
# Usage: schema_verdicts.py SCHEMA DIR
# Checks SCHEMA against the JSON Schema 2020-12 metaschema, then prints one line per *.json file
# in DIR, sorted: "NAME valid" or "NAME invalid: <the validator's first message>". Run by
# tests/scenarios/schema_agreement_test.cpp with Debian's python3-jsonschema (hence
# /usr/bin/python3, whose dist-packages hold it).
import json
import os
import sys

from jsonschema import Draft202012Validator

schema_path, folder = sys.argv[1], sys.argv[2]
with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
Draft202012Validator.check_schema(schema)
validator = Draft202012Validator(schema)
for name in sorted(n for n in os.listdir(folder) if n.endswith(".json")):
    try:
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            document = json.load(f)
    except ValueError as e:  # not JSON (or not UTF-8): no schema accepts it
        print(f"{name} invalid: not JSON: {e}".replace("\n", " "))
        continue
    error = next(iter(validator.iter_errors(document)), None)
    if error is None:
        print(f"{name} valid")
    else:
        where = "/" + "/".join(str(p) for p in error.absolute_path)
        print(f"{name} invalid: {where}: {error.message}".replace("\n", " "))

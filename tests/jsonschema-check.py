#!/usr/bin/env python3
"""jsonschema-check.py SCHEMA FILE... -- validate each JSON FILE against SCHEMA.

Prints each violation as FILE: PATH: MESSAGE and exits 1 when there is one;
with --invalid, exits 1 unless every FILE violates the schema (a check that
cannot fail proves nothing). Needs the jsonschema module (Debian:
python3-jsonschema); the schema's "$schema" picks the draft.
"""
import json
import sys

import jsonschema


def main(argv):
    invalid = argv[:1] == ["--invalid"]
    if invalid:
        argv = argv[1:]
    if len(argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(argv[0], encoding="utf-8") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)
    bad = 0
    for name in argv[1:]:
        with open(name, encoding="utf-8") as f:
            doc = json.load(f)
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        if invalid:
            if not errors:
                print(f"{name}: valid, but should not be")
                bad += 1
            continue
        for e in errors[:5]:
            path = "/".join(str(p) for p in e.absolute_path)
            print(f"{name}: /{path}: {e.message[:300]}")
        bad += bool(errors)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""check.py SCHEMA CASES - explanations (kpirun --explain EMP --format json)
against their JSON Schema, and each one's payout against the run's results.

CASES lists one case per line: LABEL<TAB>JSON_FILE<TAB>RESULTS_CSV<TAB>EMPLOYEE,
RESULTS_CSV being the run's --format csv.
Prints FAIL lines, then "N passed, N failed" counting labels."""
import csv
import json
import sys
from decimal import Decimal

import jsonschema


def main():
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    failed_labels, labels = set(), []
    for line in open(sys.argv[2], encoding="utf-8"):
        label, path, results, key = line.rstrip("\n").split("\t")
        with open(results, encoding="utf-8", newline="") as f:
            payout = next(r["payout"] for r in csv.DictReader(f) if r["employee"] == key)
        if label not in labels:
            labels.append(label)
        try:
            doc = json.load(open(path, encoding="utf-8"), parse_float=Decimal)
        except ValueError as e:
            print(f"FAIL {label}: {path} is not JSON: {e}")
            failed_labels.add(label)
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        for e in errors[:3]:
            where = "/".join(str(p) for p in e.absolute_path)
            print(f"FAIL {label}: {path}: {where}: {e.message}")
        if errors:
            failed_labels.add(label)
        elif Decimal(str(doc["payout"])) != Decimal(payout):
            print(f"FAIL {label}: {path}: payout {doc['payout']}, the results say {payout}")
            failed_labels.add(label)
    print(f"{len(labels) - len(failed_labels)} passed, {len(failed_labels)} failed")


main()

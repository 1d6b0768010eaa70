#!/usr/bin/python3
# nnc realmodels: prints the deviation table from the result rows the per-model tests wrote.
import glob
import json
import os
import sys


def fmt(v):
    return "-" if v is None else f"{v:.2e}"


rows = [json.load(open(f)) for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json")))]
print(f"{'model':46} {'reference':9} {'nnc dev':>9} {'ORT dev':>9}  result  note")
for r in rows:
    print(f"{r['model']:46} {r['reference']:9} {fmt(r['nnc_dev']):>9} {fmt(r['ort_dev']):>9}  "
          f"{'PASS' if r['ok'] else 'FAIL':6}  {r['note']}")
print(f"{len(rows)} model(s); dev = max|out - reference| / max|reference|")

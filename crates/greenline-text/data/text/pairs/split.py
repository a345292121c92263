#!/usr/bin/env python3
"""Splits the hand-written same-source pairs once into train / dev / test.

Run once, when the pairs were written and before any scorer was fitted or measured on them:
    python3 split.py w1.jsonl w2.jsonl > same_source.jsonl
Within each (writer, kind, label) the pairs are shuffled with a fixed seed and dealt 50 % to
`train`, 20 % to `dev` and 30 % to the sealed `test` part.
"""
import json
import random
import sys

SEED = 1612
SHARES = (("train", 0.5), ("dev", 0.2), ("test", 0.3))

pairs = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                pair = json.loads(line)
                for field in ("id", "a", "b", "same_source", "kind"):
                    if field not in pair:
                        sys.exit(f"{path} line {number}: no {field}")
                pairs.append(pair)

groups = {}
for pair in pairs:
    writer = pair["id"].split("-")[0]
    groups.setdefault((writer, pair["kind"], pair["same_source"]), []).append(pair)

rng = random.Random(SEED)
out = []
for key in sorted(groups, key=str):
    group = sorted(groups[key], key=lambda p: p["id"])
    rng.shuffle(group)
    n = len(group)
    train = round(n * SHARES[0][1])
    dev = round(n * SHARES[1][1])
    for i, pair in enumerate(group):
        pair["part"] = "train" if i < train else "dev" if i < train + dev else "test"
        out.append(pair)

out.sort(key=lambda p: p["id"])
for pair in out:
    print(json.dumps({k: pair[k] for k in ("id", "kind", "part", "same_source", "a", "b", "note") if k in pair}, ensure_ascii=False))

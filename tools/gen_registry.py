#!/usr/bin/env python3
"""Writes a seeded, deterministic JSON Lines registry (docs/format.md) for tests
and benchmarks: patients, diagnoses, a regenerative series per knee, NPRS and
KOOS follow-ups, some replacements. Not the synthetic cohort model of
`genu synth`; just varied, valid input in volume.

usage: gen_registry.py PATIENTS SEED [--koos]"""
import datetime
import json
import random
import sys

KINDS = ["prp", "bone_marrow_aspirate", "dextrose_prolotherapy", "adipose_msc"]
PERI = ["mcl", "lcl", "patellar_tendon", "pes_anserine", "coronary_ligaments"]
KOOS = ([f"P{i}" for i in range(1, 10)] + [f"S{i}" for i in range(1, 8)] +
        [f"A{i}" for i in range(1, 18)] + [f"SP{i}" for i in range(1, 6)] +
        [f"Q{i}" for i in range(1, 5)])


def main():
    n, seed = int(sys.argv[1]), int(sys.argv[2])
    koos = "--koos" in sys.argv
    rnd = random.Random(seed)
    out = sys.stdout
    dump = lambda o: out.write(json.dumps(o, separators=(",", ":")) + "\n")
    base = datetime.date(2015, 1, 1)
    for p in range(n):
        pid = f"P{p:06d}"
        dump({"type": "patient", "id": pid, "site": rnd.choice(["oak-park", "fort-myers"]),
              "sex": rnd.choice(["male", "female"]), "birth_year": rnd.randint(1940, 1985),
              "height_cm": rnd.randint(150, 195), "weight_kg": rnd.randint(50, 120)})
        knees = ["left", "right"] if rnd.random() < 0.3 else [rnd.choice(["left", "right"])]
        for knee in knees:
            idx = base + datetime.timedelta(days=rnd.randint(0, 2500))
            d = lambda k: (idx + datetime.timedelta(days=k)).isoformat()
            dump({"type": "diagnosis", "patient": pid, "knee": knee, "date": d(-10),
                  "condition": "osteoarthritis", "kl_grade": rnd.randint(0, 4)})
            kind = rnd.choice(KINDS)
            sites = ["intra_articular"] + (rnd.sample(PERI, 2) if rnd.random() < 0.5 else [])
            for s in range(rnd.randint(1, 3)):
                dump({"type": "treatment", "patient": pid, "knee": knee, "date": d(42 * s),
                      "kind": kind, "sites": sites, "cost": {"amount": 1500, "currency": "USD"}})
            pain = rnd.randint(3, 9)
            for day in [0, 42, 91, 183, 365, 731, 1096, 1461]:
                if day and rnd.random() < 0.25:
                    continue
                day = day + (rnd.randint(-10, 10) if day else 0)
                val = max(0, min(10, pain - (rnd.randint(0, pain) if day else 0)))
                dump({"type": "response", "patient": pid, "knee": knee, "date": d(day),
                      "instrument": "nprs", "items": {"intensity": val}})
                if koos:
                    dump({"type": "response", "patient": pid, "knee": knee, "date": d(day),
                          "instrument": "koos",
                          "items": {c: rnd.randint(0, 4) for c in KOOS}})
            if rnd.random() < 0.08:
                dump({"type": "treatment", "patient": pid, "knee": knee,
                      "date": d(rnd.randint(100, 2000)), "kind": "total_knee_replacement"})


if __name__ == "__main__":
    main()

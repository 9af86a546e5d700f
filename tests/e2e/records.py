"""records: what the R cross-checks' generators share (tests/e2e/*_r.sh).

write_registry(path, recs, rng) drops repeated records (ids derive from
content, so the same content twice would be one record), shuffles the rest
with the generator's seeded rng (import takes records in any order) and
writes them as JSON Lines. It returns the records written."""
import json


def write_registry(path, recs, rng):
    seen, uniq = set(), []
    for r in recs:
        key = json.dumps(r, sort_keys=True)
        if key not in seen:
            seen.add(key)
            uniq.append(r)
    rng.shuffle(uniq)
    with open(path, "w") as f:
        for r in uniq:
            f.write(json.dumps(r) + "\n")
    return uniq


class Agreement:
    """Compares genu's numbers with R's: same(what, genu, r) records a failure
    when one is null and the other not, or when they differ by more than
    tol (absolute, or relative to R's value with relative=True); exact=True
    wants equality. worst is the largest difference seen; done(label)
    prints the failures and exits 1, or returns quietly."""

    def __init__(self, tol, relative=False):
        self.tol, self.relative = tol, relative
        self.fails, self.worst = [], 0.0

    def fail(self, text):
        self.fails.append(text)

    def same(self, what, a, b, exact=False):
        if a is None or b is None or exact:
            if a != b:
                self.fail("%s: genu %r, R %r" % (what, a, b))
            return
        diff = abs(a - b)
        if self.relative:
            diff = diff / max(abs(b), 1e-300) if diff > 1e-12 else 0.0
        self.worst = max(self.worst, diff)
        if diff > self.tol:
            self.fail("%s: genu %r, R %r (difference %.3g)" % (what, a, b, diff))

    def done(self, label):
        if self.fails:
            print("%s: FAIL\n  %s" % (label, "\n  ".join(self.fails[:20])))
            raise SystemExit(1)

"""Mutation testing: every part's checks kill its mutants, and the recorded results are fresh.

`python -m torchcourse mutate --record` (part of `make build`) grades every mutant of every
reference answer and records which survive in tests/mutation/results.json. Here: the
results belong to today's answers, tests, references and judge (a digest), each part's
kill rate meets its bar in tests/mutation/reviewed.py, every equivalent mutant listed
there exists, and a sample of the recorded outcomes is graded again and holds.
"""
import hashlib

import pytest
from helpers import IDS

from torchcourse import mutate

RESULTS = mutate.load_results()
EQUIVALENT, BARS = mutate.reviewed()


@pytest.mark.parametrize("aid", IDS)
def test_results_are_fresh(aid):
    """The recorded results are those of today's mutants, tests, references and judge."""
    assert aid in RESULTS, f"no mutation results for {aid}: run `make build`"
    assert RESULTS[aid]["digest"] == mutate.digest(aid), (
        f"mutation results of {aid} are stale: run `python -m torchcourse mutate {aid} --record`")


@pytest.mark.parametrize("aid", IDS)
def test_every_part_kills_its_mutants(aid):
    """Each part's kill rate, equivalent mutants aside, is at least its bar."""
    parts = RESULTS.get(aid, {}).get("parts", {})
    known = {m.id for found in mutate.all_mutants(aid).values() for m in found}
    stale = set(EQUIVALENT.get(aid, {})) - known
    assert not stale, f"{aid}: equivalent mutants that no longer exist: {sorted(stale)}"
    low = {}
    for cell, data in parts.items():
        equivalent = {k for k in EQUIVALENT.get(aid, {}) if k.startswith(cell + ":")}
        counted = data["mutants"] - len(equivalent)
        survivors = {k: v for k, v in data["survivors"].items() if k not in equivalent}
        rate = 1.0 if counted <= 0 else 1 - len(survivors) / counted
        if rate < BARS.get(aid, {}).get(cell, 1.0):
            low[cell] = (f"{rate:.0%}", survivors)
    assert not low, f"{aid}: mutants survive (add a check, or list them as equivalent): {low}"


@pytest.mark.slow
class SampledAssignment:
    """A sample of one assignment's mutants graded again; subclasses set `aid`."""
    aid = None

    def test_a_sample_of_recorded_outcomes_holds(self):
        """Three mutants of the assignment, graded again, meet the fate the results record."""
        parts = RESULTS[self.aid]["parts"]
        fates = {m: True for d in parts.values() for m in d["killed"]}
        fates.update({m: False for d in parts.values() for m in d["survivors"]})
        sample = sorted(fates, key=lambda m: hashlib.sha256(m.encode()).hexdigest())[:3]
        reports = mutate.run_assignment(self.aid, only=set(sample))
        got = {o.mutant.id: o.killed for r in reports.values() for o in r.outcomes}
        assert got == {m: fates[m] for m in sample}


for _aid in IDS:
    globals()[f"TestSampled_{_aid}"] = type(f"TestSampled_{_aid}", (SampledAssignment,),
                                            {"aid": _aid})

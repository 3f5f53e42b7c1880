"""`make bench`'s machine probe: the ratio it prints, and the probe copies it times."""
import pytest

from torchcourse import bench


@pytest.mark.parametrize(("alone", "together", "want"), [
    (1.0, [1.0, 1.0], 2.0),   # two cores: each copy as fast as one alone
    (1.0, [2.0, 2.0], 1.0),   # one core shared: no more work done
    (1.0, [1.0, 3.0], 1.0),   # the copies' mean time counts, not the fastest's
    (2.0, [2.0], 1.0),
])
def test_speedup_is_the_work_done_together_against_alone(alone, together, want):
    """N copies at once do N x (seconds alone) / (their mean seconds) as much work."""
    assert bench.speedup(alone, together) == pytest.approx(want)


def test_one_probe_copy_against_itself_is_about_one():
    """With one copy, alone and together are the same run of the loop: the ratio is ~1."""
    ratio = bench.machine_scaling(1, reps=3, epochs=300)
    assert 0.5 < ratio < 2.0, ratio

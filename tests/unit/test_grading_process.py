"""A dask worker's grading processes: one per task running at once, reused after."""
import threading
from types import SimpleNamespace

import pytest

from torchcourse import worker
from torchcourse.worker import GradingProcess


@pytest.fixture
def pool(monkeypatch):
    """An empty pool of grading processes whose start only marks them started."""
    monkeypatch.setattr(GradingProcess, "_idle", [])
    monkeypatch.setattr(GradingProcess, "_made", 0)
    started = []

    def start(self, log_dir):
        self.proc = SimpleNamespace(poll=lambda: None)
        started.append(self.name)

    monkeypatch.setattr(GradingProcess, "_start", start)
    return started


def test_tasks_at_once_take_processes_of_their_own(pool):
    """Two tasks at the same time never share a process; a finished one's is taken again."""
    inside, release = threading.Barrier(3), threading.Event()  # both tasks and this test
    taken = []

    def task():
        with GradingProcess.taken() as process:
            taken.append(process)
            inside.wait(5)
            release.wait(5)

    threads = [threading.Thread(target=task) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(5)
    release.set()
    for t in threads:
        t.join(5)
    assert len(taken) == 2 and taken[0] is not taken[1]
    with GradingProcess.taken() as again:
        assert again in taken
    assert len(GradingProcess._idle) == 2


def test_warm_up_starts_one_process_per_worker_thread(pool, tmp_path):
    """A dask worker with three threads gets three grading processes, each started once."""
    three = SimpleNamespace(state=SimpleNamespace(nthreads=3))
    worker.warm_up(str(tmp_path), dask_worker=three)
    worker.warm_up(str(tmp_path), dask_worker=three)
    assert len(pool) == 3 and len(set(pool)) == 3
    assert len(GradingProcess._idle) == 3


def test_warm_up_for_workers_that_are_threads_here(pool, tmp_path):
    """make grade's own workers (threads of one process) get a grading process each."""
    worker.warm_up(str(tmp_path), count=2)
    worker.warm_up(str(tmp_path), dask_worker=SimpleNamespace(state=SimpleNamespace(nthreads=1)))
    assert len(pool) == 2 and len(GradingProcess._idle) == 2

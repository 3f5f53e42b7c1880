"""Fixtures every tier shares; the helpers they use live in tests/helpers.py."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))  # test modules import helpers by name

#: The longest groups, in the order the test processes start them, so that both end at
#: about the same time (the rest follow in collection order).
LONGEST = ["tests/grading/test_hostile.py::TestPlain02",
           "tests/grading/test_hostile.py::TestEngine02",
           "tests/db/test_cluster.py", "tests/browser/test_hub.py",
           "tests/grading/test_assignments.py", "tests/grading/test_hostile.py"]


def pytest_collection_modifyitems(items):
    """Put the longest groups first (pytest-xdist hands out groups in this order)."""
    def rank(item):
        return next((i for i, prefix in enumerate(LONGEST) if item.nodeid.startswith(prefix)),
                    len(LONGEST))
    items.sort(key=rank)


@pytest.fixture(scope="session")
def dask_client():
    """One dask worker (a thread of this test process) that grades for every test here.

    pytest-xdist already runs one test process per core; each keeps its worker, its
    grading process and its sandbox's zygote for all the grading it does.
    """
    import logging

    from distributed import Client, LocalCluster

    # Kernels of this test process run torch on a forced CPU path (not the machine's own),
    # one path per test process: reference values must grade the same on any x86-64 CPU.
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    os.environ["ATEN_CPU_CAPABILITY"] = ("default", "avx2")[int(worker[2:] or 0) % 2]
    cluster = LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                           dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()



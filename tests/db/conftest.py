"""A private PostgreSQL server for the database tier (Debian's postgresql, started here)."""
import glob
import os
import shutil
import subprocess
import tempfile

import pytest

PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


@pytest.fixture(scope="session")
def pg_server():
    """(host folder, port, run) of a PostgreSQL server on a Unix socket; stopped after."""
    if not PG_BIN:
        pytest.fail("PostgreSQL is not installed: `make install` installs Debian's postgresql")
    bindir = os.path.dirname(PG_BIN[-1])
    base = tempfile.mkdtemp(prefix="torchcourse-pg-")
    os.chmod(base, 0o755)
    # The server refuses to run as root: run it as Debian's postgres user then.
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if run_as:
        shutil.chown(base, "postgres")

    def pg(*cmd):
        proc = subprocess.run(run_as + [os.path.join(bindir, cmd[0]), *cmd[1:]],
                              capture_output=True, text=True)
        assert proc.returncode == 0, f"{cmd[0]} failed: {proc.stdout}{proc.stderr}"

    data = os.path.join(base, "data")
    pg("initdb", "-D", data, "-U", "grader", "-A", "trust", "-E", "UTF8", "--no-sync")
    port = 5432 + os.getpid() % 1000
    pg("pg_ctl", "-D", data, "-l", os.path.join(base, "server.log"), "-w", "start",
       "-o", f"-k {base} -c listen_addresses='127.0.0.1' -p {port} -c fsync=off")
    try:
        yield base, port, pg
    finally:
        pg("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def new_database(pg_server):
    """A function returning the SQLAlchemy URL of a new, empty database (over TCP)."""
    import uuid

    base, port, pg = pg_server

    def make(name="gradebook"):
        db = f"{name}_{uuid.uuid4().hex[:12]}"
        pg("createdb", "-h", base, "-p", str(port), "-U", "grader", db)
        return f"postgresql+psycopg2://grader@127.0.0.1:{port}/{db}"
    return make

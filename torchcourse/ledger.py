"""The ledger of `make grade`: one record per graded submission, written as each finishes.

A record says what the grader decided about one (student, assignment): its status, score,
flags and the digest of the submission it graded. A second run skips a submission whose
record is final and whose digest is unchanged; a run killed half-way leaves whole records
only (each is written to a temporary file and renamed).
"""
import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

FOLDER = ".torchcourse"  # inside the course's autograded folder; nbgrader ignores it
FINAL = ("graded", "fallback")


@dataclass
class Record:
    """What grading one submission gave."""
    student: str
    assignment: str
    status: str                      # graded | fallback (0 on every part) | error (retry)
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    reason: str = None               # why it is a fallback or an error
    submitted: str = ""              # digest of the submission folder
    autograded: list = field(default_factory=list)  # notebooks written to autograded/
    feedback: bool = False
    seconds: float = 0.0
    worker: str = ""
    peak_mb: dict = field(default_factory=dict)  # worker and kernel peak memory

    @property
    def pair(self):
        return (self.student, self.assignment)

    @property
    def final(self):
        return self.status in FINAL

    def to_json(self):
        return asdict(self)

    @classmethod
    def from_json(cls, data):
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def digest(files):
    """A digest of a submission's files {name: bytes}: changes when it is resubmitted."""
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + files[name] + b"\0")
    return h.hexdigest()


def submission_files(folder):
    """The files of a submission that grading uses: its notebooks and timestamp.txt."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    paths = sorted(folder.glob("*.ipynb")) + [folder / "timestamp.txt"]
    return {p.name: p.read_bytes() for p in paths if p.is_file()}


class Ledger:
    """The records of one course, under ``autograded/.torchcourse/<student>/<aid>.json``."""

    def __init__(self, course):
        self.course = course
        self.root = course.folder("autograded") / FOLDER

    def path(self, student, aid):
        return self.root / student / f"{aid}.json"

    def read(self, student, aid):
        try:
            return Record.from_json(json.loads(self.path(student, aid).read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def write(self, record):
        path = self.path(record.student, record.assignment)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(record.to_json(), indent=1))
        os.replace(tmp, path)

    def done(self, student, aid):
        """The record if this submission is graded and unchanged since, else None."""
        record = self.read(student, aid)
        if not record or not record.final:
            return None
        files = submission_files(self.course.folder("submitted", student, aid))
        if record.submitted != digest(files):
            return None
        graded = self.course.folder("autograded", student, aid)
        if not all((graded / name).exists() for name in record.autograded):
            return None
        return record

    def all(self):
        """Every record in the ledger."""
        out = []
        for p in sorted(self.root.glob("*/*.json")):
            record = self.read(p.parent.name, p.stem)
            if record:
                out.append(record)
        return out

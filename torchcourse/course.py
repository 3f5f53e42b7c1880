"""The course: its root, nbgrader configuration and API, gradebook and folders, in one object.

Every command works through a ``Course``: paths come from nbgrader's own
``coursedir.format_path`` (the folder names are nbgrader_config.py's), the gradebook is
the one nbgrader_config.py names unless a command overrides its URL.
"""
import os
import sys
from functools import cached_property
from pathlib import Path

from . import nbtools, refs
from .errors import CourseError


class Course:
    """A course directory (the folder that holds nbgrader_config.py)."""

    def __init__(self, root=nbtools.ROOT, db_url=None):
        self.root = Path(root).resolve()
        if not (self.root / "nbgrader_config.py").is_file():
            raise CourseError(f"{self.root} is not a course: it has no nbgrader_config.py")
        self._db_url = db_url

    @cached_property
    def api(self):
        """An NbGraderAPI on this course, configured by its nbgrader_config.py."""
        from nbgrader.apps import NbGraderAPI
        from traitlets.config.loader import PyFileConfigLoader

        from .speedups import alembic_head_in_process

        alembic_head_in_process()  # a new gradebook costs no `alembic` process
        # nbgrader runs `alembic` (gradebook migrations) from PATH: use this environment's.
        bindir = os.path.dirname(sys.executable)
        if bindir not in os.environ["PATH"].split(os.pathsep):
            os.environ["PATH"] = bindir + os.pathsep + os.environ["PATH"]
        config = PyFileConfigLoader("nbgrader_config.py", path=str(self.root)).load_config()
        config.CourseDirectory.root = str(self.root)
        config.Exchange.root = str(self.root / ".exchange")  # never the system-wide one
        if self._db_url:
            config.CourseDirectory.db_url = self._db_url
        return NbGraderAPI(config=config)

    @property
    def config(self):
        return self.api.config

    @property
    def coursedir(self):
        return self.api.coursedir

    @property
    def course_id(self):
        return self.coursedir.course_id

    @property
    def db_url(self):
        return self.coursedir.db_url

    @property
    def is_sqlite(self):
        return self.db_url.startswith("sqlite")

    def gradebook(self):
        """nbgrader's Gradebook of this course (use as a context manager)."""
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.course_id)

    def folder(self, kind, student=".", aid="."):
        """``kind`` is 'source', 'release', 'solution', 'submitted', 'autograded', 'feedback'."""
        name = getattr(self.coursedir, f"{kind}_directory")
        return Path(self.coursedir.format_path(name, student, aid))

    def assignments(self):
        """Assignment ids in course order: the folders of source/."""
        return nbtools.assignments(self.root)

    def submitted(self):
        """(student, assignment) folders under submitted/, sorted."""
        base = self.folder("submitted")
        if not base.is_dir():
            return []
        return sorted((s.name, a.name) for s in base.iterdir() if s.is_dir()
                      for a in s.iterdir() if a.is_dir())

    def references(self, aid):
        """The recorded reference values of ``aid`` (refs.load)."""
        return refs.load(refs.folder(self.root), aid)

    def check_assignments(self, ids):
        """Raise CourseError naming the known assignments if any of ``ids`` is unknown."""
        known = set(self.assignments())
        unknown = sorted(set(ids or []) - known)
        if unknown:
            raise CourseError(f"unknown assignment {', '.join(unknown)}: the assignments are "
                              f"the folders of {self.folder('source')} "
                              f"({', '.join(sorted(known))})")

    def scores(self):
        """{(student, assignment): (score, max_score)} from the gradebook."""
        out = {}
        with self.gradebook() as gb:
            for assignment in gb.assignments:
                for sub in assignment.submissions:
                    out[(sub.student.id, assignment.name)] = (sub.score, sub.max_score)
        return out

    def cell_table(self, aid, student=None):
        """{student: {test cell grade_id: (score, max_score)}} of every graded submission of
        ``aid`` (or of ``student``'s alone), in one query."""
        from nbgrader.api import Assignment, Grade, SubmittedAssignment, SubmittedNotebook
        from sqlalchemy.orm import joinedload

        with self.gradebook() as gb:
            q = (gb.db.query(SubmittedAssignment.student_id, Grade)
                 .join(SubmittedNotebook, Grade.notebook_id == SubmittedNotebook.id)
                 .join(SubmittedAssignment,
                       SubmittedNotebook.assignment_id == SubmittedAssignment.id)
                 .join(Assignment, SubmittedAssignment.assignment_id == Assignment.id)
                 .filter(Assignment.name == aid).options(joinedload(Grade.cell)))
            if student is not None:
                q = q.filter(SubmittedAssignment.student_id == student)
            out = {}
            for who, g in q:
                cells = out.setdefault(who, {})
                if g.cell.cell_type == "code":
                    cells[g.cell.name] = (g.score, g.max_score)
            return out

    def cell_scores(self, student, aid):
        """{test cell grade_id: (score, max_score)} of one graded submission."""
        table = self.cell_table(aid, student)
        if student not in table:
            raise CourseError(f"{student} has no graded submission of {aid}")
        return table[student]

    def ensure_assignments(self, ids):
        """Put the assignments the gradebook lacks into it (generate_assignment, scratch copy)."""
        import tempfile

        from nbgrader.api import MissingEntry

        from .build import check_result, scratch_course

        missing = []
        with self.gradebook() as gb:
            for aid in ids:
                try:
                    gb.find_assignment(aid)
                except MissingEntry:
                    missing.append(aid)
        if missing:
            with tempfile.TemporaryDirectory() as tmp:
                scratch = Course(scratch_course(self.root, tmp), db_url=self.db_url)
                for aid in missing:
                    result = scratch.api.generate_assignment(aid, force=True)
                    if not result["success"] and not self.has_assignment(aid):
                        check_result(result, f"generate_assignment {aid}")  # else: done meanwhile
        return missing

    def has_assignment(self, aid):
        from nbgrader.api import MissingEntry

        with self.gradebook() as gb:
            try:
                return bool(gb.find_assignment(aid))
            except MissingEntry:
                return False

    def ensure_students(self, students):
        """Create the gradebook's course rows and students first, so workers never race to."""
        import time

        from nbgrader.api import Gradebook, InvalidEntry, MissingEntry
        from sqlalchemy.exc import SQLAlchemyError

        for cid in ("default_course", self.course_id):  # nbgrader opens both
            for attempt in range(3):  # another grader may be creating the same rows or tables
                try:
                    Gradebook(self.db_url, cid).close()
                    break
                except (InvalidEntry, SQLAlchemyError):
                    if attempt == 2:
                        raise
                    time.sleep(1)
        with self.gradebook() as gb:
            for student in students:
                try:
                    gb.find_student(student)
                except MissingEntry:
                    try:
                        gb.add_student(student)
                    except InvalidEntry:  # another grader added it meanwhile
                        gb.find_student(student)


def new_course(dest, root=nbtools.ROOT, ids=None):
    """A scratch Course at ``dest`` with every assignment generated into its gradebook."""
    from .build import check_result, scratch_course

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    course = Course(scratch_course(root, dest))
    for aid in ids or nbtools.assignments(root):
        check_result(course.api.generate_assignment(aid, force=True), f"generate_assignment {aid}")
    return course

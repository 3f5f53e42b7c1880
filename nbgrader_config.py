"""nbgrader configuration of the course (instructor side).

The gradebook is nbgrader's embedded SQLite default (gradebook.db beside this
file, never committed); set c.CourseDirectory.db_url to use another database.
"""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "pytorch-zero-to-all"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.solution_directory = "solutions"

# What a learner sees in place of a solution.
c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# A learner's notebook runs in well under a minute; a loop that never ends is
# cut off and graded, never left to hang the class.
c.ExecutePreprocessor.timeout = 120
c.Execute.timeout = 120

# nbgrader zeroes a test cell that writes to stderr. The course's own code writes
# nothing there; these are harmless third-party notices, dropped before grading.
c.IgnorePattern.enabled = True  # off by default in nbgrader 0.9.6
c.IgnorePattern.pattern = r"(UserWarning|DeprecationWarning|FutureWarning|Matplotlib is building the font cache)"

# Feedback never shows hidden tests (nbgrader would: its issues #917, #1363): their code
# becomes a note and a failed test shows only its message (torchcourse/feedback.py).
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402
from torchcourse.feedback import HideHiddenTests  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, HideHiddenTests, CSSHTMLHeaderPreprocessor]

# A test cell the learner deleted is put back and run, so it is graded, not left blank.
c.OverwriteCells.add_missing_cells = True

# `make grade` (torchcourse/engine.py) runs each notebook within these limits; a notebook
# that reaches one is graded on what it did and flagged in the report.
c.LimitedExecute.memory_limit_mb = 2048  # the kernel's data memory
c.LimitedExecute.notebook_timeout = 600  # seconds for the whole notebook (c.Execute.timeout: per cell)

"""nbgrader configuration of the course (instructor side).

One grading pipeline for `make grade`, plain `nbgrader autograde` and Formgrader's
autograde button: every kernel runs in the sandbox (torchcourse/sandbox/) and every graded
cell is decided from its hidden values outside the kernel (torchcourse/preprocessors.py).

The gradebook is nbgrader's embedded SQLite default (gradebook.db beside this file, never
committed); set c.CourseDirectory.db_url to use another database (PostgreSQL for several
graders or machines).
"""
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
                                    AssignLatePenalties,
                                    CheckCellMetadata,
                                    ClearOutput,
                                    GetGrades,
                                    LimitOutput,
                                    OverwriteCells,
                                    OverwriteKernelspec,
)

from torchcourse.preprocessors import (
                                    HiddenTestsFeedback,
                                    JudgeHiddenTests,
                                    RestoreStructure,
                                    SandboxedExecute,
                                    SaveAutoGradesAtomic,
)

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

# Autograde: sanitize the submission, then run it in the sandbox and judge it.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, RestoreStructure, OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [
    SandboxedExecute, JudgeHiddenTests, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGradesAtomic, AssignLatePenalties, CheckCellMetadata]
# A test cell the learner deleted is put back and run, so it is graded, not left blank.
c.OverwriteCells.add_missing_cells = True

# Feedback shows which part failed and the grader's message, never hidden tests (nbgrader
# would: its issues #917, #1363) nor text a learner's kernel produced.
c.GenerateFeedback.preprocessors = [GetGrades, HiddenTestsFeedback, CSSHTMLHeaderPreprocessor]

# Limits. A learner's notebook runs in well under a minute; a loop that never ends is cut
# off at this many seconds per cell and graded, never left to hang the class. The other
# limits keep the defaults their classes document: c.SandboxedExecute.notebook_timeout
# (the whole notebook) and .max_output_mb; c.SandboxKernelManager.memory_mb, .nproc,
# .fsize_mb, .cpu_seconds, .tmp_mb (torchcourse/sandbox/kernel.py).
c.Execute.timeout = 120

"""nbgrader's submit, with the submission closed to everyone but the instructors' group.

nbgrader's exchange leaves a submission open (a folder 0777 of files 0644) and hides it
from other students only by its name (the student, a time stamp and a random string) in
an ``inbound`` folder they cannot list. The deployment gives ``inbound`` to the
instructors' group with the set-group-id bit (as nbgrader's own comment on it intends),
so a submission's folder belongs to that group as soon as the student's server makes
it; this submit then closes that folder to everyone else (0770). A student who learned
the name of another's submission still cannot open anything in it; instructors read it
(the files keep nbgrader's 0644) and may remove it, as nbgrader wants.
"""
import os
import stat

from nbgrader.exchange.default.release_feedback import ExchangeReleaseFeedback
from nbgrader.exchange.default.submit import ExchangeSubmit


class PrivateSubmit(ExchangeSubmit):

    def copy_files(self):
        super().copy_files()
        dest = os.path.join(self.inbound_path, self.assignment_filename)
        group = os.stat(self.inbound_path).st_gid
        if os.stat(dest).st_gid != group or group == os.getgid():
            self.log.warning("%s does not belong to the instructors' group: it keeps "
                             "nbgrader's permissions", dest)
            return
        os.chmod(dest, stat.S_IRWXU | stat.S_IRWXG)


class ReadableFeedback(ExchangeReleaseFeedback):
    """nbgrader's release_feedback, with the released pages readable by their students.

    nbgrader copies each page with the mode it has in the course directory, where the
    instructors' umask (007) leaves it 0660; a student could not open their own feedback.
    A released page is named after its submission's secret, which only that student has
    (in their own copy of the submission), so 0644 shows it to that student alone.
    """

    def copy_files(self):
        super().copy_files()
        for name in os.listdir(self.dest_path):
            path = os.path.join(self.dest_path, name)
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid():
                os.chmod(path, 0o644)

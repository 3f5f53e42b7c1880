"""nbgrader for an instructor's server on the hub: the exchange, shared by the instructors' group.

The course's own nbgrader_config.py (in the course directory, the server's working
directory) adds the course id and the grading configuration.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ["COURSEHUB_COURSE_ID"]
c.Exchange.root = os.environ["COURSEHUB_EXCHANGE"]
# Every instructor of the group may release, collect and return feedback (nbgrader's
# groupshared mode: the exchange's course folders belong to the group, set-group-id).
c.CourseDirectory.groupshared = True
# Released feedback pages readable by their students (coursehub/exchange.py says why).
c.ExchangeFactory.release_feedback = "coursehub.exchange.ReadableFeedback"

"""nbgrader for a student's server on the hub: one course, its exchange, a private submit.

The hub's spawner (coursehub.spawner) sets the variables; the course's own
nbgrader_config.py, with the grading configuration, stays with the instructors.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = os.environ["COURSEHUB_COURSE_ID"]
c.Exchange.root = os.environ["COURSEHUB_EXCHANGE"]
c.ExchangeFactory.submit = "coursehub.exchange.PrivateSubmit"

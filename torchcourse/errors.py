"""The course's one exception type: what a command reports to its user, in plain words."""


class CourseError(Exception):
    """Something about the course, its options or its files is wrong; the message says what."""

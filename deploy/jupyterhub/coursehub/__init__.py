"""The class deployment's code: the hub's spawner, nbgrader's private submit, the site's setup."""

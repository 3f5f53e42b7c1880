"""Jupyter server of a student: the Assignments list and Validate, no Formgrader."""
import os

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions.update({
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
})
# No update checks or news (servers need no internet): lab-settings/overrides.json.
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab-settings")

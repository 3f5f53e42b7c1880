"""Jupyter server of an instructor: every nbgrader extension, Formgrader included."""
import os

c = get_config()  # noqa: F821  (provided by Jupyter when it loads this file)

c.ServerApp.jpserver_extensions.update({
    "nbgrader.server_extensions.formgrader": True,
    "nbgrader.server_extensions.course_list": True,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.validate_assignment": True,
})
# No update checks or news (servers need no internet): lab-settings/overrides.json.
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lab-settings")

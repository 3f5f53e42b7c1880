"""JupyterHub 6.1 for one class on one server: PAM logins, each server as its user, nbgrader.

Run as root from the course's environment (``make hub`` does, for a try-out on loopback):

    .venv/bin/jupyterhub -f deploy/jupyterhub/jupyterhub_config.py

Every setting a site changes is a COURSEHUB_* variable (defaults in brackets):

    COURSEHUB_URL          where the hub listens [http://127.0.0.1:8000]; https://... with
                           COURSEHUB_SSL_CERT and COURSEHUB_SSL_KEY
    COURSEHUB_COURSE       the course directory, a checkout of the course [/srv/course]
    COURSEHUB_EXCHANGE     nbgrader's exchange [/srv/nbgrader/exchange]
    COURSEHUB_STATE        the hub's database, cookie secret and proxy pid [/srv/jupyterhub]
    COURSEHUB_INSTRUCTORS  Unix group of the instructors [instructors]
    COURSEHUB_STUDENTS     Unix group of the students [students]
    COURSEHUB_PROXY        configurable-http-proxy [build/node/node_modules/.bin/...]
    COURSEHUB_HUB_PORT, COURSEHUB_PROXY_API_PORT   internal ports [8081, 8001]

``python deploy/jupyterhub/coursehub/site.py prepare`` (part of ``make hub``) creates the
exchange and the course directory's groups and permissions for these settings.
"""
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from coursehub import site  # noqa: E402

c = get_config()  # noqa: F821  (provided by JupyterHub when it loads this file)
s = site.Settings.from_env()

# The hub and its proxy (configurable-http-proxy from npm, `make hub-proxy`).
c.JupyterHub.bind_url = s.url
if s.ssl_cert:
    c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key = s.ssl_cert, s.ssl_key
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = s.hub_port
c.ConfigurableHTTPProxy.command = [s.proxy]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{s.proxy_api_port}"
c.ConfigurableHTTPProxy.pid_file = str(s.state / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{s.state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(s.state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(s.state / "jupyterhub.pid")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# Real Unix users with their own passwords (PAM); only the course's two groups may log in.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {s.instructors, s.students}
c.Authenticator.admin_users = set()

# Each user's server as that user (the hub runs as root), from the course's environment.
c.JupyterHub.spawner_class = "coursehub.spawner.CourseSpawner"
c.CourseSpawner.course_dir = str(s.course)
c.CourseSpawner.course_id = s.course_id
c.CourseSpawner.exchange_root = str(s.exchange)
c.CourseSpawner.instructor_group = s.instructors
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
c.JupyterHub.tornado_settings = {"slow_spawn_timeout": 0}

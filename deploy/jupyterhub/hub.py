"""The class's hub: `prepare` a site's folders, or `tryout` (what `make hub` runs).

    .venv/bin/python deploy/jupyterhub/hub.py tryout    # as root: a hub on loopback, three users
    .venv/bin/python deploy/jupyterhub/hub.py prepare   # as root: exchange and course permissions
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from coursehub.site import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())

"""The WSGI entry point (`gentle serve` runs gunicorn on it)."""

import os

from django.core.wsgi import get_wsgi_application

from gentle.lib.datadir import PRIVATE_UMASK

# The database, secrets and exports Gentle writes are for its own user only.
os.umask(PRIVATE_UMASK)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gentle.settings")
application = get_wsgi_application()

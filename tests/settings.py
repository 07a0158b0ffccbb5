"""Test settings: gentle.settings with static files served unhashed (no collectstatic)."""

import os
import tempfile
from pathlib import Path

_tmp = Path(tempfile.mkdtemp(prefix="gentle-test-"))
os.environ.setdefault("GENTLE_ENV", "demo")
os.environ.setdefault("GENTLE_MANIFEST_STATIC", "false")
# The suite runs with MFA enforced, as in production.
os.environ.setdefault("GENTLE_DEMO_MFA_OPTIONAL", "false")
os.environ.setdefault("GENTLE_DATA_DIR", str(_tmp / "data"))
# Django's test client calls itself "testserver"; links in mail and on screen come from here.
os.environ.setdefault("GENTLE_BASE_URL", "http://testserver")
os.environ.setdefault("GENTLE_STATIC_ROOT", str(_tmp / "static"))
Path(os.environ["GENTLE_STATIC_ROOT"]).mkdir(parents=True, exist_ok=True)

from gentle.settings import *  # noqa: E402,F403

# A request whose audit rows do not match its work (a GET recording a write, clinical rows
# changed with no write recorded) fails the test that made it (gentle.audit.context).
GENTLE_AUDIT_STRICT = True
# Argon2 is slow on purpose; the suite hashes many passwords. Production keeps Argon2
# (gentle/settings.py), and test_login checks it with those settings.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405

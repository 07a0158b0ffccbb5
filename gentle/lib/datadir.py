"""The data directory: where the embedded SQLite database and demo secrets live.

Everything in it is for Gentle's own user only: directories 0700, files 0600. New files get
that from the process umask (``PRIVATE_UMASK``, set by the ``gentle`` command and the WSGI
entry point); directories and files left open by an older version are tightened here. What
cannot be tightened (not ours, or a shared sticky directory such as /tmp) is left as it is and
reported once, by ``take_open_path_warnings``, for the caller to log once logging is set up.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path

from gentle.lib.env import ConfigError

PRIVATE_UMASK = 0o077
SQLITE_SUFFIXES = ("", "-wal", "-shm", "-journal")

_pending_warnings: list[str] = []
_warned: set[str] = set()


def ensure_writable_dir(
    path: Path, *, variable: str = "GENTLE_DATA_DIR", private: bool = True
) -> Path:
    """Create ``path`` (0700) if needed and prove it is writable, or raise ConfigError naming
    it. ``private``: also take group and world access away from an existing directory (off for
    a directory Gentle does not own, such as the one named by DATABASE_URL)."""
    created = not path.exists()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{variable} {str(path)!r} cannot be created: {exc.strerror}") from None
    if not path.is_dir():
        raise ConfigError(f"{variable} {str(path)!r} is not a directory")
    if private or created:
        make_private(path)
    probe = path / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        raise ConfigError(f"{variable} {str(path)!r} is not writable") from None
    return path


def make_private(path: Path) -> None:
    """Take group and world access away from ``path`` if it is ours; otherwise (or if that
    fails) note it once for the log. Missing paths are left alone."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    current = stat.S_IMODE(info.st_mode)
    if not current & 0o077:
        return
    # A shared directory like /tmp (sticky) or someone else's must never be changed.
    if not current & stat.S_ISVTX and info.st_uid == os.geteuid():
        try:
            os.chmod(path, current & ~0o077)
            return
        except OSError:
            pass
    _warn_open(path)


def make_sqlite_files_private(database: Path) -> None:
    """The SQLite database and its WAL, shared-memory and journal files, where they exist.
    (SQLite gives new WAL and journal files the database file's permissions.)"""
    for suffix in SQLITE_SUFFIXES:
        make_private(Path(f"{database}{suffix}"))


def take_open_path_warnings() -> list[str]:
    """The paths found open to other users and left so, each reported once per process."""
    taken = list(_pending_warnings)
    _pending_warnings.clear()
    return taken


def _warn_open(path: Path) -> None:
    key = str(path)
    if key not in _warned:
        _warned.add(key)
        _pending_warnings.append(
            f"{key} is readable by other users and could not be made private; "
            "restrict it to the user Gentle runs as (chmod go-rwx)"
        )


def demo_secret_key(data_dir: Path) -> str:
    """Return the demo SECRET_KEY kept in the data directory, generating it on first use."""
    return demo_file_secret(data_dir, "demo-secret-key", lambda: secrets.token_urlsafe(64))


def demo_file_secret(data_dir: Path, name: str, make: Callable[[], str]) -> str:
    """A secret kept in a 0600 file of the data directory, made by ``make()`` on first use."""
    path = data_dir / name
    if path.exists():
        make_private(path)
        value = path.read_text().strip()
        if value:
            return value
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value

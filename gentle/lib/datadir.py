"""The data directory: where the embedded SQLite database and demo secrets live."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from gentle.lib.env import ConfigError


def ensure_writable_dir(path: Path, *, variable: str = "GENTLE_DATA_DIR") -> Path:
    """Create ``path`` if needed and prove it is writable, or raise ConfigError naming it."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{variable} {str(path)!r} cannot be created: {exc.strerror}") from None
    if not path.is_dir():
        raise ConfigError(f"{variable} {str(path)!r} is not a directory")
    probe = path / f".write-test-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        raise ConfigError(f"{variable} {str(path)!r} is not writable") from None
    return path


def demo_secret_key(data_dir: Path) -> str:
    """Return the demo SECRET_KEY kept in the data directory, generating it on first use."""
    return demo_file_secret(data_dir, "demo-secret-key", lambda: secrets.token_urlsafe(64))


def demo_file_secret(data_dir: Path, name: str, make) -> str:
    """A secret kept in a 0600 file of the data directory, made by ``make()`` on first use."""
    path = data_dir / name
    if path.exists():
        value = path.read_text().strip()
        if value:
            return value
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value)
    return value

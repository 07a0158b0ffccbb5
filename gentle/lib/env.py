"""Typed readers for configuration held in environment variables.

Every variable Gentle reads is documented in docs/configuration.md. A reader either returns a
value of the promised type or raises ConfigError with one line that names the variable and the
cause, so that start-up can stop with a clear message instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, overload
from urllib.parse import parse_qsl, unquote, urlsplit

from gentle.lib.delays import Delay, parse_delay

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class ConfigError(Exception):
    """A configuration value is missing or malformed; the message is one line for the operator."""


def _raw(name: str, environ: Mapping[str, str] | None) -> str | None:
    value = (os.environ if environ is None else environ).get(name)
    if value is None or value.strip() == "":
        return None
    return value.strip()


@overload
def env_str(name: str, default: str, *, environ: Mapping[str, str] | None = None) -> str: ...


@overload
def env_str(
    name: str, default: None = None, *, environ: Mapping[str, str] | None = None
) -> str | None: ...


def env_str(
    name: str, default: str | None = None, *, environ: Mapping[str, str] | None = None
) -> str | None:
    value = _raw(name, environ)
    return default if value is None else value


def env_bool(name: str, default: bool, *, environ: Mapping[str, str] | None = None) -> bool:
    value = _raw(name, environ)
    if value is None:
        return default
    if value.lower() in TRUE_WORDS:
        return True
    if value.lower() in FALSE_WORDS:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def env_int(
    name: str, default: int, *, minimum: int | None = None, environ: Mapping[str, str] | None = None
) -> int:
    value = _raw(name, environ)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(
    name: str, default: list[str], *, environ: Mapping[str, str] | None = None
) -> list[str]:
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(
    name: str, choices: tuple[str, ...], default: str, *, environ: Mapping[str, str] | None = None
) -> str:
    value = _raw(name, environ)
    if value is None:
        return default
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_delay(
    name: str,
    default: str,
    *,
    minimum: timedelta,
    maximum: timedelta,
    environ: Mapping[str, str] | None = None,
) -> Delay:
    """A delay such as "1 hour" or "1 working day" (gentle.lib.delays)."""
    value = _raw(name, environ)
    try:
        return parse_delay(value or default, minimum=minimum, maximum=maximum)
    except ValueError as exc:
        raise ConfigError(f"{name} {exc}, not {value!r}") from None


SQLITE_SCHEMES = frozenset({"sqlite"})
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})


def parse_database_url(url: str) -> dict[str, Any]:
    """Turn a DATABASE_URL into a Django DATABASES entry.

    Accepted: ``sqlite:////absolute/path.db`` and
    ``postgres://user:password@host:port/name?option=value``. Anything else raises ConfigError;
    the message never repeats a password.
    """
    if not isinstance(url, str) or "://" not in url:
        raise ConfigError("DATABASE_URL is malformed: expected scheme://..., e.g. sqlite:////path")
    scheme = url.split("://", 1)[0].lower()
    if scheme in SQLITE_SCHEMES:
        # sqlite:// + empty host + "/" + absolute path: sqlite:////var/lib/gentle/gentle.db
        rest = url.split("://", 1)[1]
        path = rest[1:] if rest.startswith("/") else ""
        if not path.startswith("/") or path == "/" or "\x00" in path or "?" in path:
            raise ConfigError(
                "DATABASE_URL is malformed: an SQLite URL needs an absolute file path, "
                "e.g. sqlite:////var/lib/gentle/gentle.db"
            )
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(path)}
    if scheme in POSTGRES_SCHEMES:
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise ConfigError("DATABASE_URL is malformed: the port is not a number") from None
        name = unquote(parts.path.lstrip("/"))
        if not name or "/" in name:
            raise ConfigError("DATABASE_URL is malformed: a PostgreSQL URL needs a database name")
        if "\x00" in url:
            raise ConfigError("DATABASE_URL is malformed: it contains a NUL character")
        options = dict(parse_qsl(parts.query, keep_blank_values=False))
        config: dict[str, Any] = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(port) if port else "",
        }
        if options:
            config["OPTIONS"] = options
        return config
    raise ConfigError(
        f"DATABASE_URL is malformed: unsupported scheme {scheme[:20]!r} (use sqlite or postgres)"
    )

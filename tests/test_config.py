"""Configuration: typed environment readers, DATABASE_URL, and start-up that fails loudly."""

import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gentle.lib.datadir import (
    demo_secret_key,
    ensure_writable_dir,
    make_sqlite_files_private,
    take_open_path_warnings,
)
from gentle.lib.env import ConfigError, env_bool, env_choice, env_int, env_list, parse_database_url


def run_gentle(*args: str, env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    base = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "GENTLE_DATA_DIR": str(tmp_path / "data"),
    }
    return subprocess.run(
        [sys.executable, "-m", "gentle", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_env(**overrides) -> dict[str, str]:
    env = {
        "GENTLE_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "GENTLE_ALLOWED_HOSTS": "gentle.example.org",
        "GENTLE_BASE_URL": "https://gentle.example.org",
        "GENTLE_PROCESS_NOTE_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
        "GENTLE_AUDIT_KEYS": "k2O1dQ0u9Yf3mXc8sV7rT4pL6wN2bE5hJ1aZ0gK9yU4",
    }
    env.update(overrides)
    return env


def test_env_readers_return_typed_values():
    environ = {"A": "yes", "B": "42", "C": "a, b,,c", "D": "demo"}
    assert env_bool("A", False, environ=environ) is True
    assert env_int("B", 0, environ=environ) == 42
    assert env_list("C", [], environ=environ) == ["a", "b", "c"]
    assert env_choice("D", ("demo", "production"), "production", environ=environ) == "demo"
    assert env_int("MISSING", 7, environ=environ) == 7


@pytest.mark.parametrize(
    ("reader", "message"),
    [
        (lambda e: env_bool("X", False, environ=e), "X must be true or false"),
        (lambda e: env_int("X", 1, environ=e), "X must be a whole number"),
        (lambda e: env_choice("X", ("a", "b"), "a", environ=e), "X must be one of a, b"),
    ],
)
def test_env_readers_name_the_variable_on_bad_values(reader, message):
    with pytest.raises(ConfigError, match=message):
        reader({"X": "maybe"})


def test_database_url_postgres_parts():
    config = parse_database_url("postgres://ann:p%40ss@db.local:6543/gentle?sslmode=require")
    assert config == {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "gentle",
        "USER": "ann",
        "PASSWORD": "p@ss",
        "HOST": "db.local",
        "PORT": "6543",
        "OPTIONS": {"sslmode": "require"},
    }


def test_database_url_sqlite_absolute_path():
    assert parse_database_url("sqlite:////var/lib/gentle/g.db") == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": "/var/lib/gentle/g.db",
    }


@pytest.mark.parametrize(
    "url",
    [
        "",
        "nonsense",
        "mysql://u:p@h/db",
        "sqlite://relative.db",
        "postgres://u:p@h:notaport/db",
        "postgres://u:p@h:5432/",
    ],
)
def test_malformed_database_urls_are_refused(url):
    with pytest.raises(ConfigError, match="DATABASE_URL is malformed"):
        parse_database_url(url)


@given(
    user=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20),
    password=st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=30),
    name=st.text(st.characters(codec="utf-8", exclude_characters="\x00/"), min_size=1, max_size=20),
    port=st.integers(min_value=1, max_value=65535),
)
def test_database_url_round_trips_quoted_parts(user, password, name, port):
    from urllib.parse import quote

    user_part = f"{quote(user, safe='')}:{quote(password, safe='')}"
    url = f"postgresql://{user_part}@db:{port}/{quote(name, safe='')}"
    config = parse_database_url(url)
    assert (config["USER"], config["PASSWORD"], config["NAME"], config["PORT"]) == (
        user,
        password,
        name,
        str(port),
    )


@given(st.text(max_size=80))
def test_database_url_parser_never_crashes_and_never_echoes_a_password(text):
    password = f"S3cr3t{text}"
    try:
        parse_database_url(f"postgres://user:{password}@")
    except ConfigError as exc:
        assert "S3cr3t" not in str(exc)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DATABASE_URL": "postgres://u:hunter2@h:xx/db"}, "DATABASE_URL is malformed"),
        (production_env(SECRET_KEY=""), "SECRET_KEY is required when GENTLE_ENV=production"),
        ({"GENTLE_DATA_DIR": "/proc/gentle-cannot-be-here"}, "GENTLE_DATA_DIR"),
        (
            {"GENTLE_ROLEPLAY_ENDPOINTS": "https://llm.example.org/v1,http://u:hunter2@h/v1"},
            "GENTLE_ROLEPLAY_ENDPOINTS is malformed: the URL must not contain a user name",
        ),
        ({"GENTLE_ROLEPLAY_ENDPOINTS": "file:///etc"}, "GENTLE_ROLEPLAY_ENDPOINTS is malformed"),
        (
            {"GENTLE_ALERT_ESCALATE_MODERATE": "tomorrow"},
            "GENTLE_ALERT_ESCALATE_MODERATE expected a number and a unit",
        ),
        ({"GENTLE_ALERT_ESCALATE_HOURS": "24"}, "GENTLE_ALERT_ESCALATE_HOURS was replaced by"),
        ({"GENTLE_SIGN_INS_PER_ADDRESS": "2"}, "GENTLE_SIGN_INS_PER_ADDRESS must be at least 5"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_clear_line(env, expected, tmp_path):
    result = run_gentle("check", env=env, tmp_path=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert expected in lines[0]
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_an_office_behind_one_address_may_allow_more_sign_ins_a_minute(tmp_path):
    """The mixed-load drill: fifty people signing in within a minute from one address met the
    default of 30; the limit is the clinic's to set."""
    show = "from django.conf import settings; print(settings.ACCOUNT_RATE_LIMITS['login'])"
    default = run_gentle("shell", "-c", show, env={"GENTLE_ENV": "demo"}, tmp_path=tmp_path)
    assert default.stdout.split()[-1] == "30/m/ip", default.stderr
    raised = run_gentle(
        "shell",
        "-c",
        show,
        env={"GENTLE_ENV": "demo", "GENTLE_SIGN_INS_PER_ADDRESS": "120"},
        tmp_path=tmp_path,
    )
    assert raised.stdout.split()[-1] == "120/m/ip", raised.stderr


@pytest.mark.slow
def test_unwritable_data_directory_is_named(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root ignores permission bits; use a path that is a file
        locked.chmod(0o700)
        locked = tmp_path / "a-file"
        locked.write_text("")
    result = run_gentle("check", env={"GENTLE_DATA_DIR": str(locked)}, tmp_path=tmp_path)
    assert result.returncode == 2
    assert f"GENTLE_DATA_DIR '{locked}'" in result.stderr.strip()
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = run_gentle(
        "check", "--deploy", "--fail-level", "WARNING", env=production_env(), tmp_path=tmp_path
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.slow
def test_demo_secret_key_is_generated_once_and_kept(tmp_path):
    script = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = run_gentle("shell", "-c", script, env={}, tmp_path=tmp_path)
    second = run_gentle("shell", "-c", script, env={}, tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout
    assert len(first.stdout.strip()) >= 50
    assert (tmp_path / "data" / "demo-secret-key").stat().st_mode & 0o077 == 0


# The data directory is private to Gentle's user ---------------------------------------------


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_is_created_private(tmp_path):
    data = tmp_path / "new" / "data"
    ensure_writable_dir(data)
    assert mode(data) == 0o700


def test_an_existing_open_data_directory_and_its_secrets_are_tightened(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    key = data / "demo-secret-key"
    key.write_text("k" * 60)
    key.chmod(0o644)
    ensure_writable_dir(data)
    assert demo_secret_key(data) == "k" * 60
    assert (mode(data), mode(key)) == (0o700, 0o600)
    assert take_open_path_warnings() == []


def test_the_sqlite_files_are_tightened(tmp_path):
    database = tmp_path / "gentle.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").write_bytes(b"")
        Path(f"{database}{suffix}").chmod(0o644)
    make_sqlite_files_private(database)
    assert {mode(Path(f"{database}{s}")) for s in ("", "-wal", "-shm")} == {0o600}


def test_a_directory_that_cannot_be_made_private_is_warned_about_once(tmp_path, monkeypatch):
    data = tmp_path / "shared"
    data.mkdir()
    data.chmod(0o755)

    def refuse(path, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    ensure_writable_dir(data)
    ensure_writable_dir(data)
    warnings = take_open_path_warnings()
    assert len(warnings) == 1 and str(data) in warnings[0]
    assert take_open_path_warnings() == []


def test_a_sticky_shared_directory_such_as_tmp_is_never_changed(tmp_path):
    shared = tmp_path / "tmp-like"
    shared.mkdir()
    shared.chmod(0o1777)
    ensure_writable_dir(shared)
    assert mode(shared) == 0o1777
    assert len(take_open_path_warnings()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("existing", [False, True])
def test_the_data_directory_database_and_secrets_are_private_after_start_up(existing, tmp_path):
    """Through the `gentle` command: the process umask, the directory, the database with its
    WAL files while a connection writes, and the demo secrets."""
    data = tmp_path / "data"
    if existing:  # left world-readable by an older version
        data.mkdir()
        for name in ("gentle.sqlite3", "demo-secret-key"):
            (data / name).write_bytes(b"")
            (data / name).chmod(0o644)
        data.chmod(0o755)
    script = (
        "import os, stat\n"
        "from django.conf import settings\n"
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('CREATE TABLE IF NOT EXISTS probe (x)')\n"
        "    c.execute('INSERT INTO probe VALUES (1)')\n"
        "    for name in sorted(os.listdir(settings.DATA_DIR)):\n"
        "        bits = stat.S_IMODE(os.stat(settings.DATA_DIR / name).st_mode)\n"
        "        print('mode', name, oct(bits))\n"
    )
    result = run_gentle("shell", "-c", script, env={}, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    modes = dict(
        line.split()[1:] for line in result.stdout.splitlines() if line.startswith("mode ")
    )
    assert {"gentle.sqlite3", "gentle.sqlite3-wal", "gentle.sqlite3-shm"} <= set(modes)
    assert {"demo-secret-key", "demo-process-note-key"} <= set(modes)
    assert set(modes.values()) == {"0o600"}, modes
    assert mode(data) == 0o700


def test_sqlite_reads_through_memory_mapped_io_as_configured(tmp_path):
    """Issue 20: reads of a large clinic's answers were 40 % faster memory-mapped."""
    show = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('PRAGMA mmap_size')\n"
        "    print('mmap', c.fetchone()[0])"
    )
    default = run_gentle("shell", "-c", show, env={"GENTLE_ENV": "demo"}, tmp_path=tmp_path)
    assert f"mmap {1024 * 1024 * 1024}" in default.stdout, default.stderr
    off = run_gentle(
        "shell",
        "-c",
        show,
        env={"GENTLE_ENV": "demo", "GENTLE_SQLITE_MMAP_MB": "0"},
        tmp_path=tmp_path,
    )
    assert "mmap 0" in off.stdout, off.stderr


def test_postgresql_prepares_repeated_queries_when_turned_on(tmp_path):
    """Issue 20, ADR 0066: prepared statements are a setting, off by default."""
    show = (
        "from django.conf import settings\n"
        "print('options', settings.DATABASES['default']['OPTIONS'])"
    )
    url = {"GENTLE_ENV": "demo", "DATABASE_URL": "postgres://gentle@127.0.0.1:5432/gentle"}
    on_env = {**url, "GENTLE_PG_PREPARED_STATEMENTS": "true"}
    on = run_gentle("shell", "-c", show, env=on_env, tmp_path=tmp_path)
    assert "options {'server_side_binding': True, 'prepare_threshold': 5}" in on.stdout, on.stderr
    default = run_gentle("shell", "-c", show, env=url, tmp_path=tmp_path)
    assert "options {}" in default.stdout, default.stderr
    sqlite = run_gentle("shell", "-c", show, env={"GENTLE_ENV": "demo"}, tmp_path=tmp_path)
    assert "server_side_binding" not in sqlite.stdout and "options {" in sqlite.stdout

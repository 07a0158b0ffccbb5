"""Configuration: typed environment readers, DATABASE_URL, and start-up that fails loudly."""

import os
import secrets
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
        "GENTLE_PROCESS_NOTE_KEYS": "ZmDfcTF7_60GrrY167zsiPd67pEvs0aGOv2oasOM1Pg=",
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

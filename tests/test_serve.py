"""`gentle serve` and `gentle demo` collect the static files one process at a time.

Two servers started together on one data directory (drills/two_servers.py) ran collectstatic at
once; each deletes a hashed copy before writing it again, so one deleted the other's new file
and that server stopped with FileNotFoundError before it served."""

from __future__ import annotations

import errno
import fcntl
import os
import threading

import pytest

from gentle.management.commands import serve


def _try_lock(directory) -> bool:
    """Whether this process can take the directory's lock now, through a descriptor of its own
    (flock locks of two open descriptions exclude each other, in one process too)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return True
    finally:
        os.close(fd)


def test_the_static_directory_is_locked_while_its_files_are_collected(
    tmp_path, settings, monkeypatch
):
    settings.STATIC_ROOT = tmp_path / "static"
    free_while_collecting = []

    def collectstatic(name, **options):
        assert name == "collectstatic"
        free_while_collecting.append(_try_lock(settings.STATIC_ROOT))

    monkeypatch.setattr(serve, "call_command", collectstatic)
    serve.collect_static()
    assert free_while_collecting == [False]  # another server would have waited
    assert _try_lock(settings.STATIC_ROOT)  # and released afterwards


def test_a_second_server_waits_for_the_first_to_finish_collecting(tmp_path, settings, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    collected = threading.Event()
    monkeypatch.setattr(serve, "call_command", lambda *args, **options: collected.set())
    first = os.open(settings.STATIC_ROOT, os.O_RDONLY)
    fcntl.flock(first, fcntl.LOCK_EX)  # the first server, collecting
    second = threading.Thread(target=serve.collect_static)
    try:
        second.start()
        assert not collected.wait(0.5)  # still waiting for the first
    finally:
        os.close(first)  # the first is done
    second.join(10)
    assert collected.is_set()


def test_the_lock_is_released_when_collecting_fails(tmp_path, settings, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"

    def collectstatic(*args, **options):
        raise FileNotFoundError("gone")

    monkeypatch.setattr(serve, "call_command", collectstatic)
    with pytest.raises(FileNotFoundError):
        serve.collect_static()
    assert _try_lock(settings.STATIC_ROOT)


def test_collecting_puts_the_files_in_the_static_directory_and_nothing_else(tmp_path, settings):
    settings.STATIC_ROOT = tmp_path / "static"
    serve.collect_static()
    assert (settings.STATIC_ROOT / "gentle" / "gentle.css").is_file()
    assert not [p for p in settings.STATIC_ROOT.iterdir() if "lock" in p.name]


def test_a_static_directory_that_cannot_be_locked_is_collected_unlocked(
    tmp_path, settings, monkeypatch
):
    """Some network and FUSE file systems answer flock with an error: the server still starts,
    collecting as it did before the lock."""
    settings.STATIC_ROOT = tmp_path / "static"
    collected = []

    def no_flock(fd, operation):
        raise OSError(errno.EOPNOTSUPP, "Operation not supported")

    monkeypatch.setattr(serve.fcntl, "flock", no_flock)
    monkeypatch.setattr(serve, "call_command", lambda name, **options: collected.append(name))
    serve.collect_static()
    assert collected == ["collectstatic"]


def test_another_locking_error_stops_the_server_from_starting(tmp_path, settings, monkeypatch):
    settings.STATIC_ROOT = tmp_path / "static"

    def interrupted(fd, operation):
        raise OSError(errno.EBADF, "Bad file descriptor")

    monkeypatch.setattr(serve.fcntl, "flock", interrupted)
    monkeypatch.setattr(serve, "call_command", lambda *args, **options: pytest.fail("collected"))
    with pytest.raises(OSError, match="Bad file descriptor"):
        serve.collect_static()

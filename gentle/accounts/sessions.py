"""Django's database sessions, with the read that every signed-in request makes written once.

Loading the session is the first query of each signed-in request. Django builds it in the ORM
each time (about 0.3 ms of Python for a query that runs in a few hundredths of that); the
session key is text, so ``gentle.lib.prepared`` cannot keep it. The same SQL is written here
once per database engine, with the key and the moment as parameters. Everything else (saving,
creating, deleting, clearing expired sessions) is Django's own.
"""

from __future__ import annotations

from functools import lru_cache

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

_FIELDS = ("session_data", "session_key", "expire_date")


@lru_cache(maxsize=4)
def _read_sql(vendor: str) -> str:
    del vendor  # the cache key: quoting differs between engines
    qn = connection.ops.quote_name
    meta = Session._meta
    data, key, expires = (qn(meta.get_field(name).column) for name in _FIELDS)
    return f"SELECT {data} FROM {qn(meta.db_table)} WHERE {key} = %s AND {expires} > %s"  # noqa: S608


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        """The unexpired session of this key, as Django's own read finds it (only its data is
        read: ``load`` uses nothing else), or None, forgetting the key."""
        moment = Session._meta.get_field("expire_date").get_db_prep_value(
            timezone.now(), connection
        )
        with connection.cursor() as cursor:
            cursor.execute(_read_sql(connection.vendor), [self.session_key, moment])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return Session(session_key=self.session_key, session_data=row[0])

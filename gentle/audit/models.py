"""The audit log: append-only, without foreign keys, hash-chained.

Rows name people, clinics, clients and objects by id and label, so deleting anything else never
touches the log. Each row's hash covers its content and the previous row's hash, keyed with one
of GENTLE_AUDIT_KEYS; see docs/adr/0006-audit-log.md, ``gentle audit verify`` and
``gentle audit anchor``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionFamily(models.Func):
    """An action's family, the part before its first dot ("note" of "note.sign").

    The audit log's filter by family reads an index on this expression (issue 20). The dot is
    written into the SQL, not passed as a parameter, so that the query's expression is the
    index's own: a database matches an index on an expression only to the same expression."""

    output_field = models.CharField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra_context):
        # The whole action when it has no dot, as PostgreSQL's split_part gives.
        template = "SUBSTR(%(expressions)s, 1, INSTR(%(expressions)s || '.', '.') - 1)"
        return self.as_sql(compiler, connection, template=template, **extra_context)

    def as_postgresql(self, compiler, connection, **extra_context):
        template = "SPLIT_PART(%(expressions)s, '.', 1)"
        return self.as_sql(compiler, connection, template=template, **extra_context)


class AuditEvent(models.Model):
    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    at = models.DateTimeField(_("time (UTC)"))
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(_("who"), max_length=254, blank=True)
    role = models.CharField(_("role"), max_length=20, blank=True)
    clinic_id = models.BigIntegerField(null=True, blank=True)
    client_id = models.BigIntegerField(null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=50, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    action = models.CharField(_("action"), max_length=50)
    detail = models.CharField(
        _("detail"),
        max_length=200,
        blank=True,
        help_text="Codes and ids only: never clinical text.",
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    visitor = models.CharField(
        _("visitor"),
        max_length=16,
        blank=True,
        help_text="Anonymous visitors of the public pages: a keyed pseudonym of their network "
        "address, kept instead of the address.",
    )
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    key_id = models.CharField(
        max_length=16,
        blank=True,
        help_text="The audit key the hash was computed with; empty for rows hashed before the "
        "chain was keyed (plain SHA-256).",
    )

    class Meta:
        ordering = ["seq"]
        # Every row written updates every index: these are the ones the pages read, and no
        # more (issue 20). A single-column index on the clinic, the client, the person, the
        # time or the action would repeat the first column of one below, or serve no query.
        indexes = [
            # The audit log page, newest first, whole clinic or one client (keyset by seq).
            models.Index(fields=["clinic_id", "seq"], name="audit_clinic_seq"),
            models.Index(fields=["client_id", "seq"], name="audit_client_seq"),
            # The audit log page filtered by dates: newest first by time (keyset by at, seq).
            models.Index(fields=["clinic_id", "at", "seq"], name="audit_clinic_time"),
            models.Index(fields=["clinic_id", "actor_id", "seq"], name="audit_clinic_actor"),
            # The audit log page filtered by a family of actions, newest first by time (keyset
            # by at, seq), between dates or not.
            models.Index(
                models.F("clinic_id"),
                ActionFamily("action"),
                models.F("at"),
                models.F("seq"),
                name="audit_clinic_family",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label or '-'}"


class AuditHead(models.Model):
    """The chain's last link. Locking this one row serialises writers of the chain.

    A trigger lets it only advance, one row at a time; anchors outside the database catch a head
    moved back past that by someone who dropped the trigger."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"

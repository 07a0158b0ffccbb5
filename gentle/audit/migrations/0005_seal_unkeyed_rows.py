"""Rows written before the chain was keyed keep their plain SHA-256. One keyed row,
``audit.chain_keyed``, is appended after them now, so that from here on a row hashed without a
key can only be a forgery (`gentle audit verify` reports one after a keyed row, and a chain that
ends on one). No row is rewritten. Run `gentle audit verify` before upgrading: the unkeyed rows
are checked as before, and no better than before."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

from gentle.audit.chain import AuditKeys, keyed_row_hash


def seal(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditHead = apps.get_model("audit", "AuditHead")
    last = AuditEvent.objects.order_by("-seq").first()
    if last is None or last.key_id:
        return
    keys = AuditKeys(list(settings.GENTLE_AUDIT_KEYS))
    head = AuditHead.objects.select_for_update().get(pk=1)
    values = {
        "seq": head.seq + 1,
        "at": timezone.now(),
        "actor_id": None,
        "actor_label": "",
        "role": "system",
        "clinic_id": None,
        "client_id": None,
        "object_type": "",
        "object_id": "",
        "action": "audit.chain_keyed",
        "detail": f"unkeyed_rows={head.seq}",
        "ip": None,
        "visitor": "",
        "request_id": "",
        "key_id": keys.current_id,
    }
    digest = keyed_row_hash(values, head.hash, keys.current)
    AuditEvent.objects.create(prev_hash=head.hash, hash=digest, **values)
    AuditHead.objects.filter(pk=1).update(seq=values["seq"], hash=digest)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_refuse_delete_and_head_rewind")]

    operations = [migrations.RunPython(seal, migrations.RunPython.noop)]

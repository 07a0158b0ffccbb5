from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "gentle.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from gentle.audit.context import note_change

        post_save.connect(note_change, dispatch_uid="gentle.audit.note_change.save")
        post_delete.connect(note_change, dispatch_uid="gentle.audit.note_change.delete")

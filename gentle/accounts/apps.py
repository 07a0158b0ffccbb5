from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "gentle.accounts"
    label = "accounts"
    verbose_name = _("People and clinics")

    def ready(self) -> None:
        from gentle.accounts import mfa_events

        mfa_events.connect()

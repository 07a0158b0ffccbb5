from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClientsConfig(AppConfig):
    name = "gentle.clients"
    label = "clients"
    verbose_name = _("Clients and care teams")

    def ready(self) -> None:
        # Losing the clinician or supervisor role ends the person's places on care teams.
        from gentle.accounts.actions import on_role_removal
        from gentle.clients.actions import care_teams_leave

        on_role_removal(care_teams_leave)

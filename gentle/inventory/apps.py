from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InventoryConfig(AppConfig):
    name = "gentle.inventory"
    label = "inventory"
    verbose_name = _("Interpersonal inventory")

    def ready(self) -> None:
        from gentle.inventory import people
        from gentle.lib import client_people

        # Role plays on the session page name the person they were about (ADR 0050).
        client_people.register(people.PEOPLE)

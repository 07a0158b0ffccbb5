from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormulationConfig(AppConfig):
    name = "gentle.formulation"
    label = "formulation"
    verbose_name = _("Formulation and goals")

    def ready(self) -> None:
        from gentle.formulation import rules

        rules.load()

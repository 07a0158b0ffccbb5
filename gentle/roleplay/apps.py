from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoleplayConfig(AppConfig):
    name = "gentle.roleplay"
    label = "roleplay"
    verbose_name = _("Role play")

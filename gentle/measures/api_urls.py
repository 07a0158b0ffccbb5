"""The JSON API (mounted under /api/v1/): routes with their access rules."""

from gentle.lib.routes import Access, route
from gentle.measures import api

urlpatterns = [
    route(
        "clients/<int:client_id>/administrations/",
        api.administration_create,
        name="api_administration_create",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "administrations/<int:administration_id>/",
        api.administration_detail,
        name="api_administration_detail",
        access=Access.CLIENT_TEAM,
    ),
    route("openapi.json", api.openapi, name="api_openapi", access=Access.PUBLIC),
]

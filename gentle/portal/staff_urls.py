"""The care team's side of the portal: inviting a client, reviewing or ending their portal
login, and tasks between sessions."""

from gentle.lib.routes import Access, route
from gentle.portal import views

urlpatterns = [
    route(
        "clients/<int:client_id>/portal-invite/",
        views.portal_invite,
        name="portal_invite",
        access=Access.CARE_TEAM_CLINICIAN,
        methods=("GET", "POST"),
    ),
    route(
        "clients/<int:client_id>/portal-access/confirm/",
        views.portal_access_confirm,
        name="portal_access_confirm",
        access=Access.CARE_TEAM_CLINICIAN,
        methods=("POST",),
    ),
    route(
        "clients/<int:client_id>/portal-access/end/",
        views.portal_access_end,
        name="portal_access_end",
        access=Access.CARE_TEAM_CLINICIAN,
        methods=("POST",),
    ),
    route(
        "clients/<int:client_id>/tasks/",
        views.client_tasks,
        name="client_tasks",
        access=Access.CLIENT_TEAM_READ_WRITE,
        methods=("GET", "POST"),
    ),
    route(
        "tasks/<int:task_id>/remove/",
        views.client_task_remove,
        name="client_task_remove",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
]

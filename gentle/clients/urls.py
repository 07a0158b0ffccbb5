from gentle.clients import views
from gentle.lib.routes import Access, route

GET_POST = ("GET", "POST")

urlpatterns = [
    route("clients/", views.client_list, name="client_list", access=Access.CLINICAL),
    route("clients/find/", views.find_client, name="find_client", access=Access.BREAK_GLASS),
    route(
        "clients/<int:client_id>/edit/",
        views.client_edit,
        name="client_edit",
        access=Access.CLIENT_WRITE,
        methods=GET_POST,
    ),
    route(
        "clients/<int:client_id>/consents/",
        views.consent_add,
        name="consent_add",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "clients/<int:client_id>/consents/<int:consent_id>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
        access=Access.CLIENT_WRITE,
        methods=("POST",),
    ),
    route(
        "clients/<int:client_id>/access-log/",
        views.client_access_log,
        name="client_access_log",
        access=Access.CLIENT_TEAM_OR_ADMIN,
    ),
    route(
        "clients/<int:client_id>/break-glass/",
        views.break_glass,
        name="break_glass",
        access=Access.BREAK_GLASS,
        methods=GET_POST,
    ),
    route(
        "clinic/clients/",
        views.clinic_clients,
        name="clinic_clients",
        access=Access.ADMIN,
        methods=GET_POST,
    ),
    route(
        "clinic/clients/<int:client_id>/team/",
        views.clinic_client_team,
        name="clinic_client_team",
        access=Access.ADMIN,
        methods=GET_POST,
    ),
    route(
        "clinic/break-glass/",
        views.break_glass_reviews,
        name="break_glass_reviews",
        access=Access.BREAK_GLASS_REVIEW,
    ),
    route(
        "clinic/break-glass/<int:grant_id>/review/",
        views.break_glass_review,
        name="break_glass_review",
        access=Access.BREAK_GLASS_REVIEW,
        methods=("POST",),
    ),
    route(
        "invitations/<str:token>/",
        views.invitation_accept,
        name="invitation_accept",
        access=Access.PUBLIC,
        methods=GET_POST,
    ),
]

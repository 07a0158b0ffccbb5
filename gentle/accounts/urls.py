from gentle.accounts import views
from gentle.routes import Access, route

GET_POST = ("GET", "POST")
POST = ("POST",)

urlpatterns = [
    route("people/", views.clinic_people_view, name="clinic_people", access=Access.ADMIN),
    route("people/<int:user_id>/", views.person_detail, name="person_detail", access=Access.ADMIN),
    route(
        "people/<int:user_id>/roles/<str:change>/",
        views.person_role,
        name="person_role",
        access=Access.ADMIN,
        methods=POST,
    ),
    route(
        "people/<int:user_id>/supervisors/",
        views.person_supervisors,
        name="person_supervisors",
        access=Access.ADMIN,
        methods=POST,
    ),
    route(
        "people/<int:user_id>/active/",
        views.person_active,
        name="person_active",
        access=Access.ADMIN,
        methods=POST,
    ),
    route(
        "people/<int:user_id>/end-sessions/",
        views.person_end_sessions,
        name="person_end_sessions",
        access=Access.ADMIN,
        methods=POST,
    ),
    route(
        "invitations/", views.invitations, name="invitations", access=Access.ADMIN, methods=GET_POST
    ),
    route(
        "invitations/<int:invitation_id>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
        access=Access.ADMIN,
        methods=POST,
    ),
    route("audit/", views.audit_log, name="audit_log", access=Access.ADMIN),
    route(
        "switch/", views.switch_clinic, name="switch_clinic", access=Access.SIGNED_IN, methods=POST
    ),
]

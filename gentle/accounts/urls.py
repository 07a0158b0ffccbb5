from allauth.account import urls as allauth_account_urls
from allauth.mfa import urls as allauth_mfa_urls
from django.urls import include, path

from gentle.accounts import views
from gentle.lib.routes import Access, route

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
    route(
        "api-tokens/", views.api_tokens, name="api_tokens", access=Access.ADMIN, methods=GET_POST
    ),
    route(
        "api-tokens/<int:token_id>/revoke/",
        views.api_token_revoke,
        name="api_token_revoke",
        access=Access.ADMIN,
        methods=POST,
    ),
    route("audit/", views.audit_log, name="audit_log", access=Access.ADMIN),
    route("mail/", views.outgoing_mail, name="outgoing_mail", access=Access.ADMIN),
    route(
        "switch/", views.switch_clinic, name="switch_clinic", access=Access.SIGNED_IN, methods=POST
    ),
]


# django-allauth's pages, less the ones Gentle does not use: accounts are made by invitation
# (no sign-up), the sign-in address is User.email and is changed by nobody in the browser (no
# e-mail page, no address confirmation), every account has a password (no "set password"), and
# there is no sign-in by mailed code. Those keep their names, so that a link allauth might
# still build leads to "not found" rather than an error, and answer 404 to everyone.
CLOSED_ALLAUTH_PAGES = {
    "account_signup": "signup/",
    "account_email": "email/",
    "account_email_verification_sent": "confirm-email/",
    "account_confirm_email": "confirm-email/<str:key>/",
    "account_set_password": "password/set/",
    "account_confirm_login_code": "login/code/confirm/",
}

allauth_urlpatterns = [
    *(
        route(pattern, views.not_offered, name=name, access=Access.NOBODY, methods=GET_POST)
        for name, pattern in CLOSED_ALLAUTH_PAGES.items()
    ),
    *(p for p in allauth_account_urls.urlpatterns if p.name not in CLOSED_ALLAUTH_PAGES),
    path("2fa/", include(allauth_mfa_urls)),
]

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings

DEMO_EMAIL_SUFFIX = "@demo.gentle.test"


class AuthenticationBackend(AllauthBackend):
    """allauth's email login, except that demo accounts only work in demo mode."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not settings.DEMO and user.email.endswith(DEMO_EMAIL_SUFFIX):
            return None
        return user

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and not settings.DEMO and user.email.endswith(DEMO_EMAIL_SUFFIX):
            return None
        return user

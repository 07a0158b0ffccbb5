from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model

DEMO_EMAIL_SUFFIX = "@demo.gentle.test"


def users_by_email(email: str, *, is_active: bool | None = None) -> list:
    """The people whose sign-in address (User.email) is ``email``, compared as sign-in does.

    allauth also looks in its EmailAddress table, which people could once add to from the
    e-mail page; an address there is nobody's sign-in address in Gentle."""
    email = (email or "").strip()
    if not email:
        return []
    users = get_user_model().objects.filter(email__iexact=email)
    if is_active is not None:
        users = users.filter(is_active=is_active)
    return [user for user in users if user.email.lower() == email.lower()]


class AuthenticationBackend(AllauthBackend):
    """allauth's email login, by User.email alone, and demo accounts only in demo mode."""

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None and not settings.DEMO and user.email.endswith(DEMO_EMAIL_SUFFIX):
            return None
        return user

    def _authenticate_by_email(self, email, password):
        for user in users_by_email(email):
            if self._check_password(user, password):
                return user
        return None

    def get_user(self, user_id):
        user = super().get_user(user_id)
        if user is not None and not settings.DEMO and user.email.endswith(DEMO_EMAIL_SUFFIX):
            return None
        return user

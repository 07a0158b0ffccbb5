from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.conf import settings
from django.contrib.auth import get_user_model

from gentle.lib.prepared import PreparedQuery

DEMO_EMAIL_SUFFIX = "@demo.gentle.test"


def _user_by_id(shape: None, *, user_id: int):
    user_model = get_user_model()
    fields = [field.attname for field in user_model._meta.concrete_fields]
    return user_model._default_manager.filter(pk=user_id).values_list(*fields)


USER_BY_ID = PreparedQuery(_user_by_id, values=("user_id",))


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
        """The signed-in person, read on every request (Django's ModelBackend.get_user with a
        query built once, issue 20), unless inactive or a demo account outside demo mode."""
        found = USER_BY_ID.instances(None, user_id=int(user_id))
        user = found[0] if found else None
        if user is None or not self.user_can_authenticate(user):
            return None
        if not settings.DEMO and user.email.endswith(DEMO_EMAIL_SUFFIX):
            return None
        return user

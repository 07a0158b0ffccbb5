"""Messages of django-allauth and Django that clients and visitors read on the sign-in and
password pages and in the password mails, marked here so that makemessages keeps them in
Gentle's catalogue. Gentle's catalogue comes before theirs (LOCALE_PATHS), so its Spanish,
which speaks to clients and visitors as tú, replaces theirs, which says usted.
tests/test_spanish_register.py checks that each is still one of theirs, word for word.
Staff-only pages (two-factor authentication) keep allauth's own wording."""

from django.utils.translation import gettext_noop, ngettext_lazy

ALLAUTH = (
    # account/password_reset.html, password_reset_done.html, password_reset_from_key*.html
    gettext_noop(
        "Forgotten your password? Enter your email address below, and we'll send you an email "
        "allowing you to reset it."
    ),
    gettext_noop("Password Reset"),
    gettext_noop("Please contact us if you have any trouble resetting your password."),
    gettext_noop(
        "We have sent you an email. If you have not received it please check your spam folder. "
        "Otherwise contact us if you do not receive it in a few minutes."
    ),
    gettext_noop("Bad Token"),
    gettext_noop(
        "The password reset link was invalid, possibly because it has already been used.  "
        'Please request a <a href="%(passwd_reset_url)s">new password reset</a>.'
    ),
    gettext_noop("Your password is now changed."),
    # account/logout.html, reauthenticate.html
    gettext_noop("Are you sure you want to sign out?"),
    gettext_noop("Enter your password:"),
    gettext_noop("Please reauthenticate to safeguard your account."),
    gettext_noop("Use your password"),
    # account/email/: the password mails
    gettext_noop("Hello from %(site_name)s!"),
    gettext_noop("Thank you for using %(site_name)s!\n%(site_domain)s"),
    gettext_noop(
        "You are receiving this mail because the following change was made to your account:"
    ),
    gettext_noop(
        "If you do not recognize this change then please take proper security precautions "
        "immediately. The change to your account originates from:\n\n- IP address: %(ip)s\n- "
        "Browser: %(user_agent)s\n- Date: %(timestamp)s"
    ),
    gettext_noop(
        "You're receiving this email because you or someone else has requested a password "
        "reset for your user account.\nIt can be safely ignored if you did not request a "
        "password reset. Click the link below to reset your password."
    ),
    gettext_noop("Password Reset Email"),
    gettext_noop("Your password has been changed."),
    gettext_noop("Password Changed"),
    # account/messages/
    gettext_noop("Successfully signed in as %(name)s."),
    gettext_noop("You have signed out."),
    gettext_noop("Password successfully changed."),
    # account/forms.py and adapter.py
    gettext_noop("You must type the same password each time."),
    gettext_noop("The email address and/or password you specified are not correct."),
    gettext_noop("Too many failed login attempts. Try again later."),
    gettext_noop("Please type your current password."),
    gettext_noop("Password (again)"),
    gettext_noop("New Password (again)"),
)

DJANGO = (
    # django.contrib.auth.password_validation: the help under a new password
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)

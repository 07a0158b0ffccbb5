"""Demo people: one fictional clinic with a team and generated, fictional names."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password

from gentle.accounts.models import Clinic, Membership, Role, User

DEMO_CLINIC_SLUG = "riverside-demo"

FIRST_NAMES = [
    "Amara",
    "Bruno",
    "Carmen",
    "Dmitri",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonah",
    "Kalani",
    "Lucia",
    "Mateo",
    "Noor",
    "Oren",
    "Priya",
    "Quinn",
    "Rosa",
    "Samir",
    "Tessa",
]
LAST_NAMES = [
    "Alder",
    "Brightwater",
    "Castell",
    "Duran",
    "Ellory",
    "Fenwick",
    "Galloway",
    "Hartley",
    "Iverson",
    "Jaramillo",
    "Kestrel",
    "Lindqvist",
    "Marlow",
    "Navarro",
    "Okonkwo",
    "Pell",
]

CRISIS_TEXT = (
    "If you are in danger now or might act on thoughts of harming yourself, call your local "
    "emergency number or go to the nearest emergency department.\n"
    "Riverside Community Wellbeing Clinic (fictional): 555-0100, weekdays 8:00-18:00."
)


def is_seeded() -> bool:
    return Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).exists()


def remove() -> None:
    Clinic.objects.filter(slug=DEMO_CLINIC_SLUG).delete()
    User.objects.filter(email__endswith="@demo.gentle.test").delete()


def _name(rng) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def seed(rng, context: dict) -> None:
    clinic = Clinic.objects.create(
        name="Riverside Community Wellbeing Clinic", slug=DEMO_CLINIC_SLUG, crisis_text=CRISIS_TEXT
    )
    # One hash for every demo login: Argon2 is slow on purpose, and the password is the same.
    password = make_password(context["password"])
    domain = context["domain"]
    people = [
        ("admin", Role.ADMIN),
        ("clinician", Role.CLINICIAN),
        ("supervisor", Role.SUPERVISOR),
        ("client", Role.CLIENT),
        ("clinician2", Role.CLINICIAN),
        ("clinician3", Role.CLINICIAN),
    ]
    users = {}
    for local, role in people:
        user = User.objects.create(
            email=f"{local}@{domain}", display_name=_name(rng), password=password
        )
        Membership.objects.create(user=user, clinic=clinic, role=role)
        users[local] = user
    # The supervisor also sees patients: a person can hold several roles in one clinic.
    Membership.objects.create(user=users["supervisor"], clinic=clinic, role=Role.CLINICIAN)
    context.update(clinic=clinic, users=users)
    context.setdefault("counts", {}).update(clinics=1, people=len(users))

"""Demo data: invented staff for every role in the eight seed countries.

Only `trm demo` calls this, on its own database. Every person here is invented.
"""

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from trm.accounts.models import Membership, Role, User
from trm.accounts.two_factor import secret_for_display
from trm.directory.models import Country, Organisation, OrganisationKind

DEMO_PASSWORD = "demo-password-2026"

# Invented names, one pair per country, used for all of that country's demo staff.
STAFF_NAMES = {
    "AL": [("Arta", "Hoxha"), ("Besnik", "Kola"), ("Elira", "Dervishi")],
    "ES": [("Lucía", "Moreno"), ("Javier", "Ortega"), ("Carmen", "Ruiz")],
    "FR": [("Camille", "Durand"), ("Julien", "Moreau"), ("Inès", "Lefèvre")],
    "GR": [("Eleni", "Papadaki"), ("Nikos", "Georgiou"), ("Sofia", "Vlachou")],
    "IT": [("Giulia", "Conti"), ("Marco", "Ferri"), ("Chiara", "Galli")],
    "MA": [("Salma", "Bennani"), ("Youssef", "Alaoui"), ("Nadia", "Tazi")],
    "PL": [("Anna", "Wójcik"), ("Piotr", "Zieliński"), ("Ewa", "Kaczmarek")],
    "UA": [("Olena", "Kovalenko"), ("Andrii", "Melnyk"), ("Iryna", "Shevchuk")],
}

# username suffix, role, which organisation of the country
DEMO_ROLES = [
    ("caseworker", Role.CASE_WORKER, "services"),
    ("supervisor", Role.SUPERVISOR, "services"),
    ("focal", Role.FOCAL_POINT, "focal_point"),
    ("admin", Role.ORGANISATION_ADMIN, "services"),
    ("dpo", Role.DATA_PROTECTION_OFFICER, "services"),
    ("coordinator", Role.COORDINATOR, "coordinator"),
]


def _organisation_for(country: Country, which: str) -> Organisation:
    organisations = Organisation.objects.filter(country=country, is_active=True)
    focal_point = organisations.filter(is_focal_point=True).first()
    if which == "services":
        found = organisations.filter(kind=OrganisationKind.INTERNATIONAL).first()
    elif which == "coordinator":
        found = organisations.filter(kind=OrganisationKind.COORDINATOR).first()
    else:
        found = focal_point
    return found or focal_point or organisations.first()


@transaction.atomic
def create_demo_data() -> None:
    """Create the demo staff once; later runs find them and change nothing."""
    password = make_password(DEMO_PASSWORD)
    for country in Country.objects.filter(code__in=STAFF_NAMES):
        names = STAFF_NAMES[country.code]
        for index, (suffix, role, which) in enumerate(DEMO_ROLES):
            username = f"{country.code.lower()}.{suffix}"
            if User.objects.filter(username=username).exists():
                continue
            first_name, last_name = names[index % len(names)]
            user = User.objects.create(
                username=username,
                first_name=first_name,
                last_name=last_name,
                email=f"{username}@demo.invalid",
                password=password,
                language="en",
            )
            Membership.objects.create(
                user=user, organisation=_organisation_for(country, which), role=role
            )
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def demo_logins() -> str:
    """The table printed by `trm demo`: who to sign in as, and the authenticator keys."""
    lines = [
        "",
        "Demo logins (invented people). Password for all: " + DEMO_PASSWORD,
        "The code page of this demo node shows the current code; or add the key to an "
        "authenticator app.",
        "",
        f"{'username':<18} {'role':<26} {'organisation':<50} authenticator key",
    ]
    memberships = (
        Membership.objects.filter(user__email__endswith="@demo.invalid")
        .select_related("user", "organisation")
        .order_by("user__username")
    )
    devices = {
        device.user_id: device
        for device in TOTPDevice.objects.filter(
            confirmed=True, user__email__endswith="@demo.invalid"
        )
    }
    for membership in memberships:
        device = devices.get(membership.user_id)
        key = secret_for_display(device) if device else "-"
        lines.append(
            f"{membership.user.username:<18} {membership.get_role_display():<26} "
            f"{membership.organisation.name[:50]:<50} {key}"
        )
    return "\n".join(lines) + "\n"

"""Demo data: invented staff for every role in the eight seed countries.

Only `trm demo` calls this, on its own database. Every person here is invented.
"""

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Q
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from trm.accounts.models import Membership, Role, User
from trm.accounts.two_factor import secret_for_display
from trm.cases.models import Case
from trm.cases.stages import Stage
from trm.demo_journeys import ScriptedJourney
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


def _organisation_for(country: Country, which: str) -> Organisation | None:
    """The demo organisation of `country` for `which` role, among those hosted here (a node
    with an identity hosts its own countries' only); None if it hosts none of the country's."""
    organisations = Organisation.objects.filter(country=country, is_active=True).filter(
        Q(hosted_on__isnull=True) | Q(hosted_on__is_this_node=True)
    )
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
        if _organisation_for(country, "services") is None:
            continue  # another node's country: its staff are that node's
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


# (sending country, receiving country, child, where the journey stops, the invented person)
DEMO_CASES = [
    ("ES", "MA", False, Stage.MONITORING, {
        "given_name": "فاطمة الزهراء", "family_name": "بنعلي", "given_name_latin": "Fatima Zahra",
        "family_name_latin": "Benali", "birth_date": "1995-03-12", "sex": "female",
        "citizenship": "MA", "document_number": "DEMO-MA-0001"}),
    ("GR", "AL", True, Stage.MONITORING, {
        "given_name": "Anila", "family_name": "Krasniqi", "given_name_latin": "Anila",
        "family_name_latin": "Krasniqi", "birth_date": "2010-06-02", "sex": "female",
        "citizenship": "AL", "document_number": "DEMO-AL-0002"}),
    ("FR", "UA", False, Stage.IDENTIFICATION, {
        "given_name": "Оксана", "family_name": "Петренко", "given_name_latin": "Oksana",
        "family_name_latin": "Petrenko", "sex": "female", "citizenship": "UA"}),
    ("PL", "UA", False, Stage.FIRST_ASSISTANCE, {
        "given_name": "Марія", "family_name": "Ткаченко", "given_name_latin": "Mariia",
        "family_name_latin": "Tkachenko", "birth_date": "1999-09-09", "sex": "female",
        "citizenship": "UA"}),
    ("IT", "AL", False, Stage.OPTIONS_COUNSELLING, {
        "given_name": "Blerina", "family_name": "Gashi", "sex": "female", "citizenship": "AL"}),
    ("ES", "AL", False, Stage.LONG_TERM_ASSISTANCE, {
        "given_name": "Ermal", "family_name": "Leka", "sex": "male", "citizenship": "AL"}),
    ("FR", "MA", False, Stage.PRE_RETURN_ASSESSMENT, {
        "given_name": "يوسف", "family_name": "العمراني", "given_name_latin": "Youssef",
        "family_name_latin": "El Amrani", "sex": "male", "citizenship": "MA"}),
    ("GR", "UA", False, Stage.REFERRAL, {
        "given_name": "Андрій", "family_name": "Бондар", "given_name_latin": "Andrii",
        "family_name_latin": "Bondar", "sex": "male", "citizenship": "UA"}),
    ("IT", "MA", True, Stage.RETURN_PREPARATION, {
        "given_name": "خديجة", "family_name": "الصديقي", "given_name_latin": "Khadija",
        "family_name_latin": "Seddiki", "birth_date": "2011-01-20", "sex": "female",
        "citizenship": "MA"}),
    ("PL", "AL", False, Stage.TRAVEL, {
        "given_name": "Dritan", "family_name": "Hoxha", "sex": "male", "citizenship": "AL"}),
    ("ES", "UA", False, Stage.REINTEGRATION, {
        "given_name": "Ірина", "family_name": "Коваль", "given_name_latin": "Iryna",
        "family_name_latin": "Koval", "sex": "female", "citizenship": "UA"}),
    ("FR", "AL", False, Stage.CLOSED, {
        "given_name": "Elona", "family_name": "Shehu", "sex": "female", "citizenship": "AL"}),
]  # fmt: skip

# How many steps after the accepted referral each stage takes: depart, confirm the reception,
# agree the plan, a first monitoring contact, closure.
RETURN_STEPS = {Stage.RETURN_PREPARATION: 0, Stage.TRAVEL: 1, Stage.REINTEGRATION: 2,
                Stage.MONITORING: 4, Stage.CLOSED: 5}  # fmt: skip


def create_demo_cases() -> None:
    """Invented cases at every stage of the journey, through the real actions, once."""
    if Case.objects.exists():
        return
    # Staff of an empty demo node would get the e-mails of every step at once: keep them in.
    kept_in = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    with override_settings(MAILERS=kept_in):
        for sending, receiving, child, until, person in DEMO_CASES:
            sender = _organisation_for(Country.objects.get(code=sending), "services")
            receiver = _organisation_for(Country.objects.get(code=receiving), "services")
            if sender is None or receiver is None:
                continue  # a case between nodes is the federated demo's
            team = ScriptedJourney(
                sender,
                receiver,
                User.objects.get(username=f"{sending.lower()}.caseworker"),
                User.objects.get(username=f"{sending.lower()}.supervisor"),
                User.objects.get(username=f"{receiving.lower()}.caseworker"),
            )
            _walk(team, child, until, person)


def _walk(team, child, until, person):
    if until == Stage.LONG_TERM_ASSISTANCE:
        case = team.to_referral(person=person, until=Stage.FIRST_ASSISTANCE)
        team.move(team.worker, case, "start_counselling")
        team.add(team.worker, case, "counselling", {
            "choice": "residence", "language": "sq",
            **({"childs_views": "She wants to stay and finish school."} if child else {}),
        })  # fmt: skip
        team.move(team.worker, case, "choose_to_stay")
        return
    stop = until if until not in RETURN_STEPS else Stage.REFERRAL
    case = team.to_referral(person=person, child=child, until=stop, escort_needed=child)
    if until not in RETURN_STEPS:
        if until == Stage.REFERRAL:
            team.send(case)
        return
    team.accept(team.send(case))
    steps = [team.depart, team.confirm_reception, team.agree_plan, team.monitor, team.close]
    for step in steps[: RETURN_STEPS[until]]:
        step(case)


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

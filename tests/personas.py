"""The people our scenarios are about: staff of the seed organisations, with real second factors."""

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trm.accounts.models import Membership, Role, User
from trm.directory.models import Organisation, OrganisationKind

PASSWORD = "correct horse battery staple"


def current_code(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


class Personas:
    """Make staff of an organisation in a given country and role, signed in if asked."""

    def organisation(self, country_code: str, *, focal_point: bool = False) -> Organisation:
        organisations = Organisation.objects.filter(country__code=country_code)
        if focal_point:
            return organisations.get(is_focal_point=True)
        return organisations.filter(kind=OrganisationKind.INTERNATIONAL).first()

    def user(
        self,
        username: str,
        country_code: str,
        role: str,
        *,
        authenticator: bool = True,
        language: str = "en",
    ) -> User:
        organisation = self.organisation(country_code, focal_point=role == Role.FOCAL_POINT)
        user = User.objects.create_user(
            username=username,
            password=PASSWORD,
            email=f"{username}@example.org",
            first_name=username.split(".")[-1].title(),
            last_name="Tester",
            language=language,
        )
        Membership.objects.create(user=user, organisation=organisation, role=role)
        if authenticator:
            TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        return user

    def spanish_case_worker(self, **options) -> User:
        return self.user("es.caseworker", "ES", Role.CASE_WORKER, **options)

    def greek_supervisor(self, **options) -> User:
        return self.user("gr.supervisor", "GR", Role.SUPERVISOR, **options)

    def albanian_focal_point(self, **options) -> User:
        return self.user("al.focal", "AL", Role.FOCAL_POINT, **options)

    def ukrainian_coordinator(self, **options) -> User:
        return self.user("ua.coordinator", "UA", Role.COORDINATOR, authenticator=False, **options)

    def albanian_administrator(self, **options) -> User:
        return self.user("al.admin", "AL", Role.ORGANISATION_ADMIN, **options)

    def signed_in_without_second_factor(self, user: User) -> Client:
        """For roles that sign in with the password alone (coordinators)."""
        client = Client()
        response = client.post(
            "/accounts/login/", {"username": user.username, "password": PASSWORD}
        )
        assert response.status_code == 302
        assert response.url == "/", "this role should not need a second factor"
        return client

    def signed_in(self, user: User) -> Client:
        """A browser that went through the real login with password and TOTP code."""
        client = Client()
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
        device = TOTPDevice.objects.get(user=user, confirmed=True)
        response = client.post("/accounts/login/code/", {"code": current_code(device)})
        assert response.status_code == 302, "the second step should have signed in"
        return client

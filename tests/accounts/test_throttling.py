"""Failed sign-ins are throttled by the account and the address together, and by the address
alone with a much higher ceiling: one person's typos never lock out their colleagues behind the
same office address, and behind the node's own proxies the real client address is used."""

import pytest
from django.test import Client, RequestFactory
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.api.conftest import token_api
from tests.personas import PASSWORD, current_code
from trm.accounts.models import Role
from trm.lib.addresses import client_address

pytestmark = pytest.mark.django_db

OFFICE = "203.0.113.10"  # one ministry's NAT
ELSEWHERE = "198.51.100.20"
PROXY = "10.0.0.2"


def sign_in(client, username, password=PASSWORD, **where):
    return client.post("/accounts/login/", {"username": username, "password": password}, **where)


def fail(client, username, times, **where):
    for _attempt in range(times):
        response = sign_in(client, username, "a wrong guess", **where)
        assert response.status_code in {200, 429}
    return response


@pytest.fixture
def colleagues(personas):
    """Two case workers of the Spanish organisation, who work from the same office."""
    return (
        personas.user("es.maria", "ES", Role.CASE_WORKER),
        personas.user("es.jordi", "ES", Role.CASE_WORKER),
    )


def test_a_colleague_signs_in_from_the_same_address_after_another_users_five_failures(
    colleagues,
):
    maria, jordi = colleagues
    fail(Client(), maria.username, 5, REMOTE_ADDR=OFFICE)

    response = sign_in(Client(), jordi.username, REMOTE_ADDR=OFFICE)
    assert response.status_code == 302
    assert response.url == "/accounts/login/code/", "on to the second factor, not locked"


def test_the_user_who_failed_is_locked_on_that_address_only(colleagues):
    maria, _jordi = colleagues
    fail(Client(), maria.username, 5, REMOTE_ADDR=OFFICE)

    locked = sign_in(Client(), maria.username, REMOTE_ADDR=OFFICE)
    assert locked.status_code == 429, "even the right password waits out the cool-off"
    assert "Only this account is blocked" in locked.text
    assert int(locked["Retry-After"]) == 15 * 60

    elsewhere = sign_in(Client(), maria.username, REMOTE_ADDR=ELSEWHERE)
    assert elsewhere.status_code == 302, "from another address she may still sign in"


def test_the_address_is_locked_for_everyone_after_its_own_higher_ceiling(
    personas, colleagues, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    _maria, jordi = colleagues
    # Someone at the office guesses across accounts, never five times at one.
    for number, times in enumerate([4, 4, 3]):
        fail(Client(), f"es.guess{number}", times, REMOTE_ADDR=OFFICE)
    assert sign_in(Client(), jordi.username, REMOTE_ADDR=OFFICE).status_code == 302, (
        "eleven failures from the address are below its ceiling"
    )

    fail(Client(), "es.guess3", 1, REMOTE_ADDR=OFFICE)
    locked = sign_in(Client(), jordi.username, REMOTE_ADDR=OFFICE)
    assert locked.status_code == 429
    assert "paused for everyone" in locked.text
    assert sign_in(Client(), jordi.username, REMOTE_ADDR=ELSEWHERE).status_code == 302


def test_the_default_ceilings_are_five_for_an_account_and_fifty_for_an_address(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.LOGIN_ADDRESS_FAILURE_LIMIT == 50
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_wrong_second_factor_codes_count_like_wrong_passwords(colleagues):
    maria, jordi = colleagues
    browser = Client()
    assert sign_in(browser, maria.username, REMOTE_ADDR=OFFICE).status_code == 302
    for _attempt in range(4):
        page = browser.post("/accounts/login/code/", {"code": "000000"}, REMOTE_ADDR=OFFICE)
        assert page.status_code == 200
        assert "This code is not valid" in page.text
    locked = browser.post("/accounts/login/code/", {"code": "000000"}, REMOTE_ADDR=OFFICE)
    assert locked.status_code == 429

    device = TOTPDevice.objects.get(user=maria)
    code = {"code": current_code(device)}
    right = browser.post("/accounts/login/code/", code, REMOTE_ADDR=OFFICE)
    assert right.status_code == 429, "a right code does not get past the lock either"
    assert "_auth_user_id" not in browser.session
    assert sign_in(Client(), jordi.username, REMOTE_ADDR=OFFICE).status_code == 302


def who_am_i(secret, address):
    """GET /api/me with this token, from this address."""
    return Client().get("/api/me", headers={"Authorization": f"Bearer {secret}"},
                        REMOTE_ADDR=address)  # fmt: skip


def test_wrong_api_tokens_are_throttled_like_passwords(personas):
    system = token_api(personas.organisation("ES"))
    wrong = system.secret[:-4] + "xxxx"  # the same beginning: the same system mistyped
    for _attempt in range(4):
        assert who_am_i(wrong, OFFICE).status_code == 401
    locked = who_am_i(wrong, OFFICE)
    assert locked.status_code == 429
    assert "Retry-After" in locked.json()["detail"]
    assert int(locked["Retry-After"]) == 15 * 60

    right = who_am_i(system.secret, OFFICE)
    assert right.status_code == 429, "the token is locked on this address, right or wrong"
    assert who_am_i(system.secret, ELSEWHERE).status_code == 200
    other = token_api(personas.organisation("ES"), name="Another system")
    assert who_am_i(other.secret, OFFICE).status_code == 200, (
        "another token from the same address is not locked"
    )


def test_guessed_tokens_reach_the_addresss_ceiling(personas, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 8
    system = token_api(personas.organisation("ES"))
    for number in range(8):
        assert who_am_i(f"trm_guess{number}-0123456789", OFFICE).status_code in {401, 429}
    assert who_am_i(system.secret, OFFICE).status_code == 429
    assert who_am_i(system.secret, ELSEWHERE).status_code == 200


def test_a_forwarded_for_header_from_an_untrusted_peer_is_ignored(colleagues, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    maria, _jordi = colleagues
    # An attacker writes a new X-Forwarded-For with every guess, hoping to look like many.
    for number in range(5):
        sign_in(Client(), maria.username, "a wrong guess", REMOTE_ADDR=OFFICE,
                HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")  # fmt: skip
    locked = sign_in(Client(), maria.username, REMOTE_ADDR=OFFICE,
                     HTTP_X_FORWARDED_FOR="192.0.2.99")  # fmt: skip
    assert locked.status_code == 429, "the peer's own address was counted"


def test_a_trusted_proxys_forwarded_for_names_the_client(colleagues, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    maria, _jordi = colleagues
    # Behind the node's proxy every request comes from the proxy; the header tells them apart.
    fail(Client(), maria.username, 5, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)
    locked = sign_in(Client(), maria.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)
    assert locked.status_code == 429
    from_home = sign_in(Client(), maria.username, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)
    assert from_home.status_code == 302, "the same proxy, another client: not locked"


def address_of(remote, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


def test_the_client_is_the_right_most_address_no_trusted_proxy_wrote(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "fd00::/8"]
    # A client's own claim, then what two of the node's proxies appended.
    assert address_of(PROXY, f"192.0.2.1, {OFFICE}, 10.0.0.7") == OFFICE
    assert address_of(PROXY, f"{OFFICE}:51234") == OFFICE, "a port some proxies add"
    assert address_of("fd00::1", "[2001:db8::5]:443") == "2001:db8::5"
    assert address_of(PROXY, "10.0.0.9, 10.0.0.8") == "10.0.0.9", "all proxies: the first"
    assert address_of(PROXY, f"not an address, {OFFICE}") == OFFICE
    assert address_of(PROXY, "192.0.2.1, not an address") == PROXY, "nothing left of a bad hop"
    assert address_of(PROXY) == PROXY
    assert address_of("::ffff:203.0.113.10") == OFFICE, "IPv4 through an IPv6 socket"
    assert address_of(OFFICE, "192.0.2.1") == OFFICE, "an untrusted peer's header is ignored"


def test_without_trusted_proxies_the_header_is_never_read(settings):
    settings.TRUSTED_PROXIES = []
    assert address_of("127.0.0.1", "192.0.2.1") == "127.0.0.1"

"""Signing in: a password, then a second factor, for everyone who can reach personal data."""

import pytest
import time_machine
from django.core import mail
from django.utils import timezone, translation
from django.utils.html import escape
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.personas import PASSWORD, current_code
from trm.accounts.forms import LoginForm

pytestmark = pytest.mark.django_db


def in_french(message) -> str:
    with translation.override("en"):
        english = str(message)
    with translation.override("fr"):
        french = translation.gettext(english)
    assert french != english, "the French catalogue should translate this"
    return escape(french)


def sign_in_with_password(client, user, password=PASSWORD):
    return client.post("/accounts/login/", {"username": user.username, "password": password})


def test_a_case_worker_signs_in_with_password_and_authenticator_code(client, personas):
    worker = personas.spanish_case_worker()
    response = sign_in_with_password(client, worker)
    assert response.url == "/accounts/login/code/"
    assert "_auth_user_id" not in client.session, "the password alone must not sign in"

    device = TOTPDevice.objects.get(user=worker)
    response = client.post("/accounts/login/code/", {"code": current_code(device)})
    assert response.status_code == 302
    assert response.url == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert "Welcome" in home.text


def test_a_wrong_password_says_so_and_signs_nobody_in(client, personas):
    worker = personas.spanish_case_worker()
    response = sign_in_with_password(client, worker, "not the password")
    assert response.status_code == 200
    assert "The username or password is not right" in response.text
    assert "_auth_user_id" not in client.session
    assert "trm_pending_login" not in client.session


def test_the_wrong_password_message_is_translated(client, personas):
    worker = personas.spanish_case_worker()
    client.cookies["django_language"] = "fr"
    response = sign_in_with_password(client, worker, "not the password")
    assert response.headers["Content-Language"] == "fr"
    assert in_french(LoginForm.error_messages["invalid_login"]) in response.text


def test_a_wrong_code_is_refused_with_a_clear_message(client, personas):
    worker = personas.spanish_case_worker()
    sign_in_with_password(client, worker)
    response = client.post("/accounts/login/code/", {"code": "000000"})
    assert response.status_code == 200
    assert "This code is not valid" in response.text
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(client, personas):
    worker = personas.spanish_case_worker()
    device = TOTPDevice.objects.get(user=worker)
    code = current_code(device)
    sign_in_with_password(client, worker)
    assert client.post("/accounts/login/code/", {"code": code}).status_code == 302
    client.post("/accounts/logout/")

    sign_in_with_password(client, worker)
    response = client.post("/accounts/login/code/", {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_a_backup_code_works_once_in_place_of_the_app(client, personas):
    from trm.accounts.two_factor import new_backup_codes

    worker = personas.spanish_case_worker()
    backup = new_backup_codes(worker)[0]
    sign_in_with_password(client, worker)
    assert client.post("/accounts/login/code/", {"code": backup}).status_code == 302
    assert not StaticToken.objects.filter(token=backup).exists()
    client.post("/accounts/logout/")

    sign_in_with_password(client, worker)
    assert client.post("/accounts/login/code/", {"code": backup}).status_code == 200


def test_the_first_sign_in_sets_up_the_authenticator_and_shows_backup_codes(client, personas):
    worker = personas.spanish_case_worker(authenticator=False)
    response = sign_in_with_password(client, worker)
    assert response.url == "/accounts/login/authenticator/"

    page = client.get("/accounts/login/authenticator/")
    assert "data:image/svg+xml" in page.text, "a QR code to scan"
    device = TOTPDevice.objects.get(user=worker, confirmed=False)
    response = client.post("/accounts/login/authenticator/", {"code": "123456x"})
    assert "This code does not match" in response.text
    assert "_auth_user_id" not in client.session

    # After a wrong code the authenticator is throttled for a moment.
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=2)):
        response = client.post("/accounts/login/authenticator/", {"code": current_code(device)})
    assert response.status_code == 200
    assert "Your backup codes" in response.text
    assert StaticToken.objects.filter(device__user=worker).count() == 10
    assert TOTPDevice.objects.get(user=worker).confirmed
    assert client.get("/").status_code == 200


def test_a_coordinator_without_personal_data_signs_in_with_the_password_alone(client, personas):
    coordinator = personas.ukrainian_coordinator()
    response = sign_in_with_password(client, coordinator)
    assert response.url == "/"
    assert client.get("/").status_code == 200


def test_a_deactivated_account_cannot_sign_in(client, personas):
    worker = personas.spanish_case_worker()
    worker.is_active = False
    worker.save()
    response = sign_in_with_password(client, worker)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_too_many_wrong_passwords_lock_the_account_with_a_translated_page(client, personas):
    worker = personas.spanish_case_worker()
    for _attempt in range(5):
        sign_in_with_password(client, worker, "guess")
    response = sign_in_with_password(client, worker)
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "trm_pending_login" not in client.session

    client.cookies["django_language"] = "fr"
    response = sign_in_with_password(client, worker)
    assert response.status_code == 429
    assert in_french("Too many attempts") in response.text


def test_a_second_step_left_too_long_starts_over(client, personas):
    worker = personas.spanish_case_worker()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in_with_password(client, worker)
        clock.shift(301)
        device = TOTPDevice.objects.get(user=worker)
        response = client.post("/accounts/login/code/", {"code": current_code(device)})
    assert response.url == "/accounts/login/"
    assert "_auth_user_id" not in client.session


def test_a_session_ends_after_thirty_minutes_without_activity(personas):
    worker = personas.spanish_case_worker()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = personas.signed_in(worker)
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200, "activity keeps the session alive"
        clock.shift(29 * 60)
        assert client.get("/").status_code == 200
        clock.shift(31 * 60)
        response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_admin_site_signs_in_through_the_second_factor(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_a_signed_in_user_without_a_second_factor_is_signed_out(client, personas):
    # A coordinator who later becomes a case worker must set up the second factor.
    from trm.accounts.models import Membership, Role

    coordinator = personas.ukrainian_coordinator()
    sign_in_with_password(client, coordinator)
    Membership.objects.create(
        user=coordinator, organisation=personas.organisation("UA"), role=Role.CASE_WORKER
    )
    response = client.get("/")
    assert response.url.startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session


def test_the_chosen_language_is_remembered_for_the_user(client, personas):
    worker = personas.spanish_case_worker()
    browser = personas.signed_in(worker)
    browser.post("/accounts/language/", {"language": "ar", "next": "/"})
    worker.refresh_from_db()
    assert worker.language == "ar"

    # Another browser, another day: the user's language follows them.
    sign_in_with_password(client, worker)
    device = TOTPDevice.objects.get(user=worker)
    with time_machine.travel(timezone.now() + timezone.timedelta(seconds=60)):
        client.post("/accounts/login/code/", {"code": current_code(device)})
        page = client.get("/")
    assert '<html lang="ar" dir="rtl">' in page.text


def test_a_forgotten_password_is_reset_through_an_emailed_link(client, personas):
    worker = personas.spanish_case_worker()
    response = client.post("/accounts/password/reset/", {"email": worker.email})
    assert response.url == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert worker.username not in body, "the e-mail names nobody"
    link = next(line for line in body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    new_password = "a new and long passphrase 42"
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    worker.refresh_from_db()
    assert worker.check_password(new_password)


def test_a_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, directory):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.url == "/accounts/password/reset/sent/"
    assert mail.outbox == []

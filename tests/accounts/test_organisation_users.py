"""An organisation administrator manages the users of their own organisation, and only those."""

import pytest
from django.core import mail

from trm.accounts.models import Membership, Role, User

pytestmark = pytest.mark.django_db


def invitation(**changes):
    return {
        "username": "al.newworker",
        "first_name": "Drita",
        "last_name": "Invented",
        "email": "drita@example.org",
        "role": Role.CASE_WORKER,
        **changes,
    }


def users_page(organisation):
    return f"/accounts/organisations/{organisation.pk}/users/"


def test_an_administrator_invites_a_case_worker_who_chooses_a_password(personas, client):
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    browser = personas.signed_in(admin)

    response = browser.post(users_page(organisation), invitation())
    assert response.status_code == 302
    invited = User.objects.get(username="al.newworker")
    assert not invited.has_usable_password()
    assert invited.memberships.get().role == Role.CASE_WORKER
    assert invited.memberships.get().organisation == organisation
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["drita@example.org"]

    link = next(line for line in mail.outbox[0].body.splitlines() if "password/reset" in line)
    form = client.get(link.split("testserver", 1)[1], follow=True)
    password = "a long passphrase for drita"
    client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})
    invited.refresh_from_db()
    assert invited.check_password(password)


def test_a_taken_username_is_refused_and_nothing_is_created(personas):
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    browser = personas.signed_in(admin)
    count = User.objects.count()

    response = browser.post(users_page(organisation), invitation(username=admin.username.upper()))
    assert response.status_code == 200
    assert "This username is taken" in response.text
    assert User.objects.count() == count
    assert mail.outbox == []


def test_an_administrator_deactivates_a_user_of_their_organisation(personas):
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    worker = personas.user("al.worker", "AL", Role.CASE_WORKER)
    membership = worker.memberships.get()
    assert membership.organisation == organisation
    browser = personas.signed_in(admin)

    browser.post(f"{users_page(organisation)}{membership.pk}/deactivate/")
    worker.refresh_from_db()
    membership.refresh_from_db()
    assert not membership.is_active
    assert not worker.is_active


def test_an_administrator_cannot_deactivate_themselves(personas):
    admin = personas.albanian_administrator()
    membership = admin.memberships.get()
    browser = personas.signed_in(admin)
    response = browser.post(
        f"{users_page(membership.organisation)}{membership.pk}/deactivate/", follow=True
    )
    assert "You cannot deactivate your own account" in response.text
    membership.refresh_from_db()
    assert membership.is_active


def test_the_users_of_another_organisation_are_not_found(personas):
    admin = personas.albanian_administrator()
    other = personas.organisation("ES")
    spanish_worker = personas.spanish_case_worker()
    browser = personas.signed_in(admin)

    assert browser.get(users_page(other)).status_code == 404
    assert browser.post(users_page(other), invitation()).status_code == 404
    membership = spanish_worker.memberships.get()
    assert browser.post(f"{users_page(other)}{membership.pk}/deactivate/").status_code == 404
    assert Membership.objects.get(pk=membership.pk).is_active
    assert not User.objects.filter(username="al.newworker").exists()


def test_a_case_worker_cannot_manage_users(personas):
    worker = personas.user("al.worker", "AL", Role.CASE_WORKER)
    browser = personas.signed_in(worker)
    assert browser.get(users_page(worker.memberships.get().organisation)).status_code == 404


class UnreachableMailServer:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError(111, "Connection refused")


def test_an_invitation_the_mail_server_refuses_says_so_and_keeps_the_account(personas, settings):
    # Not a 500: the account is made in its own step; the administrator learns the e-mail did
    # not go and how the person gets a link anyway.
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.{UnreachableMailServer.__qualname__}"}}
    admin = personas.albanian_administrator()
    organisation = admin.memberships.get().organisation
    browser = personas.signed_in(admin)

    response = browser.post(users_page(organisation), invitation(), follow=True)
    assert response.status_code == 200
    assert "the invitation e-mail could not be sent" in response.text
    assert "The invitation was sent" not in response.text
    assert User.objects.filter(username="al.newworker").exists()

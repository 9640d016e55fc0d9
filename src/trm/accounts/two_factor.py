"""Second factor: a TOTP authenticator app, with single-use backup codes for when it is lost."""

import base64
import time

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from trm.lib.steps import step

BACKUP_CODE_COUNT = 10
AUTHENTICATOR = "authenticator"
BACKUP_CODES = "backup codes"


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_authenticator(user) -> TOTPDevice:
    """The unconfirmed authenticator shown during enrolment (the same one until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_for_display(device: TOTPDevice) -> str:
    """The shared secret in base32, in groups of four, as authenticator apps ask for it."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


@step
def confirm_authenticator(user, token: str) -> list[str] | None:
    """Confirm enrolment with a first code; return fresh backup codes, or None if it is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return _replace_backup_codes(user)


@step
def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes; the old ones stop working."""
    return _replace_backup_codes(user)


@transaction.atomic(savepoint=False)
def _replace_backup_codes(user) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name=BACKUP_CODES)
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=BACKUP_CODES).count()


def verify(user, token: str):
    """The device that accepts the code (each code works once), or None."""
    token = "".join(token.split())
    if not token:
        return None
    return match_token(user, token)


def demo_code(user) -> str | None:
    """The current code, shown on demo nodes only so visitors can sign in without an app."""
    if not settings.DEMO:
        return None
    for device in devices_for_user(user, confirmed=True):
        if isinstance(device, TOTPDevice):
            totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
            totp.time = time.time()
            return f"{totp.token():0{device.digits}d}"
    return None

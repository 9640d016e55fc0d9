"""Security headers, error pages without stack traces, and the health check."""

import os
import re
import subprocess
import sys

import pytest
from django.test import override_settings
from django.urls import path

from trm.urls import urlpatterns as trm_urlpatterns

pytestmark = pytest.mark.django_db


def failing_view(request):
    raise RuntimeError("a secret detail that must not be shown")


urlpatterns = [*trm_urlpatterns, path("fail/", failing_view)]


def test_pages_carry_a_nonce_based_content_security_policy(client, directory):
    response = client.get("/accounts/login/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    scripts = re.findall(r"<script[^>]*>", response.text)
    assert scripts, "htmx is loaded"
    assert all(f'nonce="{nonce}"' in script for script in scripts)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_the_health_check_answers_without_signing_in(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@override_settings(ROOT_URLCONF=__name__)
def test_an_error_shows_no_stack_trace(client, directory):
    client.raise_request_exception = False
    response = client.get("/fail/")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "secret detail" not in response.text
    assert "Traceback" not in response.text


def run_settings(env: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    """Load the settings in a fresh interpreter with exactly these TRM_* variables."""
    clean = {key: value for key, value in os.environ.items() if not key.startswith("TRM_")}
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.DEBUG]))"
    )
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**clean, "TRM_HOME": str(tmp_path), "DJANGO_SETTINGS_MODULE": "trm.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_settings({"TRM_PRODUCTION": "1"}, tmp_path)
    assert result.returncode != 0
    assert "Production mode needs TRM_SECRET_KEY" in result.stderr


def test_production_mode_refuses_to_start_without_a_key_file(tmp_path):
    result = run_settings({"TRM_PRODUCTION": "1", "TRM_SECRET_KEY": "k" * 60}, tmp_path)
    assert result.returncode != 0
    assert "Production mode needs TRM_KEY_FILE" in result.stderr


def test_production_mode_refuses_the_demo_shortcuts(tmp_path):
    result = run_settings({"TRM_PRODUCTION": "1", "TRM_DEMO": "1"}, tmp_path)
    assert result.returncode != 0
    assert "cannot be combined with TRM_DEMO" in result.stderr


def test_production_mode_turns_on_hsts_and_secure_cookies(tmp_path):
    from trm.crypto.keyring import new_chain_key_line, new_key_line

    key_file = tmp_path / "kek.key"
    key_file.write_text(f"{new_key_line()}\n{new_chain_key_line()}\n")
    result = run_settings(
        {"TRM_PRODUCTION": "1", "TRM_SECRET_KEY": "k" * 60, "TRM_KEY_FILE": str(key_file)},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[31536000, true, true, false]"


def test_passwords_are_hashed_with_argon2():
    from trm import settings as node_settings

    assert node_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_the_stylesheet_and_htmx_are_served_by_the_node_itself(client):
    for static in ["/static/trm/trm.css", "/static/django_htmx/htmx-2.min.js"]:
        response = client.get(static)
        assert response.status_code == 200, static
        b"".join(response.streaming_content)

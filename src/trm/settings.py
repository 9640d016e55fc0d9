"""Settings for a trm node, read from the environment.

Development needs no configuration: everything lives in TRM_HOME (default ./var). Production
mode (TRM_PRODUCTION=1) refuses to start without a real secret key and key file.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


BASE_DIR = Path(__file__).resolve().parent
TRM_HOME = Path(env_str("TRM_HOME", "var")).resolve()
PRODUCTION = env_bool("TRM_PRODUCTION")
DEMO = env_bool("TRM_DEMO")
DEBUG = env_bool("TRM_DEBUG")

if PRODUCTION and (DEMO or DEBUG):
    raise ImproperlyConfigured(
        "TRM_PRODUCTION=1 cannot be combined with TRM_DEMO or TRM_DEBUG: "
        "demo shortcuts and debug pages would expose data."
    )

TRM_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = env_str("TRM_SECRET_KEY")
    if key:
        if PRODUCTION and len(key) < 50:
            raise ImproperlyConfigured("TRM_SECRET_KEY must be at least 50 characters long.")
        return key
    if PRODUCTION:
        raise ImproperlyConfigured(
            "Production mode needs TRM_SECRET_KEY (a random string of 50 or more characters)."
        )
    # Development and demo: a random key kept in TRM_HOME, so sessions survive restarts.
    path = TRM_HOME / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()

# The key-encryption key protects every person's data key (see trm.crypto).
KEY_FILE = Path(env_str("TRM_KEY_FILE") or TRM_HOME / "keys" / "kek.key")
if PRODUCTION and not KEY_FILE.is_file():
    raise ImproperlyConfigured(
        f"Production mode needs TRM_KEY_FILE to name an existing key file; {KEY_FILE} does not "
        "exist. Create one with 'trm keys create --out PATH' and keep a copy offline."
    )
if PRODUCTION:
    # The audit chain's key lives in the same file; without it nothing could be audited.
    from trm.crypto.keyring import parse_chain_key

    parse_chain_key(KEY_FILE)

# The node's Ed25519 key signs audit checkpoints (see trm.crypto.node_key).
NODE_KEY_FILE = Path(env_str("TRM_NODE_KEY_FILE") or TRM_HOME / "keys" / "node_ed25519.pem")
# The newest signed checkpoint, also kept outside the database (see trm.audit.verify).
AUDIT_HEAD_FILE = TRM_HOME / "audit-head.json"
# A checkpoint is signed at least every this many audit events, and every this many minutes.
AUDIT_CHECKPOINT_EVENTS = env_int("TRM_AUDIT_CHECKPOINT_EVENTS", 500)
AUDIT_CHECKPOINT_MINUTES = env_int("TRM_AUDIT_CHECKPOINT_MINUTES", 10)
if AUDIT_CHECKPOINT_EVENTS < 1 or AUDIT_CHECKPOINT_MINUTES < 1:
    raise ImproperlyConfigured(
        "TRM_AUDIT_CHECKPOINT_EVENTS and TRM_AUDIT_CHECKPOINT_MINUTES must be 1 or more."
    )
# Peers encrypt what they send this node to its X25519 key (see trm.federation.identity).
NODE_ENCRYPTION_KEY_FILE = Path(
    env_str("TRM_NODE_ENCRYPTION_KEY_FILE") or TRM_HOME / "keys" / "node_x25519.pem"
)
# How far a message's creation time may be from this node's clock, either way.
FEDERATION_CLOCK_SKEW_SECONDS = env_int("TRM_FEDERATION_CLOCK_SKEW_SECONDS", 300)
# How old a peer's directory copy may grow before the worker fetches it again.
FEDERATION_DIRECTORY_REFRESH_MINUTES = env_int("TRM_FEDERATION_DIRECTORY_REFRESH_MINUTES", 60)
if FEDERATION_DIRECTORY_REFRESH_MINUTES < 1:
    raise ImproperlyConfigured("TRM_FEDERATION_DIRECTORY_REFRESH_MINUTES must be at least 1")
# After this long undelivered, a message to a peer is shown as late and its node's
# administrators and focal points are alerted.
FEDERATION_UNDELIVERED_ALERT_MINUTES = env_int("TRM_FEDERATION_UNDELIVERED_ALERT_MINUTES", 60)
# A message from a peer held this long, waiting for one before it, is shown to the operators.
FEDERATION_HELD_ALERT_MINUTES = env_int("TRM_FEDERATION_HELD_ALERT_MINUTES", 60)
# Envelopes a worker posts side by side (conversations apart; each in its order).
FEDERATION_DELIVERY_THREADS = env_int("TRM_FEDERATION_DELIVERY_THREADS", 4)
# A worker sending an envelope holds it this long; one killed meanwhile lets it go then.
FEDERATION_DELIVERY_LEASE_SECONDS = env_int("TRM_FEDERATION_DELIVERY_LEASE_SECONDS", 60)
# What a peer's message does here, and what a peer's receipt means here: the referrals' own.
FEDERATION_APPLY = "trm.referrals.arriving.apply"
FEDERATION_DELIVERED = "trm.referrals.crossing.delivered"

NODE_NAME = env_str("TRM_NODE_NAME", "trm")
# The address people reach this node at, for links in e-mails.
BASE_URL = env_str("TRM_BASE_URL", "" if PRODUCTION else "http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("TRM_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("TRM_CSRF_TRUSTED_ORIGINS", [])


def _trusted_proxies() -> list[str]:
    from trm.lib.addresses import parse_networks

    entries = env_list("TRM_TRUSTED_PROXIES", [])
    try:
        parse_networks(entries)
    except ValueError as problem:
        raise ImproperlyConfigured(f"TRM_TRUSTED_PROXIES: {problem}") from None
    return entries


# The reverse proxies in front of the node (addresses or networks): only behind one of them is
# X-Forwarded-For believed, for the client's address (trm.lib.addresses). None by default.
TRUSTED_PROXIES = _trusted_proxies()

INSTALLED_APPS = [
    "trm.accounts",
    "trm.directory",
    "trm.core",
    "trm.audit",
    "trm.crypto",
    "trm.access",
    "trm.cases",
    "trm.referrals",
    "trm.consent",
    "trm.rights",
    "trm.deadlines",
    "trm.api",
    "trm.federation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_htmx",
    "django_tasks_db",
    "simple_history",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "trm.accounts.middleware.TwoFactorRequiredMiddleware",
    "trm.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A case view that meets an erased person answers the erased-person page (cases/http.py).
    "trm.cases.http.ErasedCaseMiddleware",
    # A refusal a view does not show on its form answers 404 or 403 (core/refusals.py).
    "trm.core.refusals.RefusalMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trm.urls"
# Form widgets render with the project's templates too (translated text fields).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "trm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "trm.core.context_processors.node",
            ],
        },
    },
]

# Database: SQLite in TRM_HOME unless TRM_DATABASE_URL names PostgreSQL.
DATABASE_URL = env_str("TRM_DATABASE_URL")
if DATABASE_URL:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("TRM_DATABASE_URL must be a postgres:// URL.")
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": TRM_HOME / "trm.sqlite3",
            "OPTIONS": {
                # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait instead of
                # failing half way; WAL lets readers go on meanwhile.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after this much inactivity: every request pushes the expiry forward.
SESSION_IDLE_MINUTES = env_int("TRM_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes, trm.accounts.throttle): an account is locked on one address
# after TRM_LOGIN_FAILURE_LIMIT failures, so one person's typos never lock their colleagues out;
# the address alone after TRM_LOGIN_ADDRESS_FAILURE_LIMIT failures for any accounts, which stops
# guessing across accounts. 50 in 15 minutes is ten colleagues behind one NAT each locking
# themselves out, while an attacker gets 200 guesses an hour from an address, not thousands.
AXES_FAILURE_LIMIT = env_int("TRM_LOGIN_FAILURE_LIMIT", 5)
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("TRM_LOGIN_ADDRESS_FAILURE_LIMIT", 50)
if not 1 <= AXES_FAILURE_LIMIT <= LOGIN_ADDRESS_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "TRM_LOGIN_FAILURE_LIMIT must be at least 1 and TRM_LOGIN_ADDRESS_FAILURE_LIMIT at least "
        "as high: the address's ceiling is for many accounts together."
    )
AXES_COOLOFF_TIME = env_int("TRM_LOGIN_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "trm.accounts.throttle.LoginThrottle"
AXES_LOCKOUT_CALLABLE = "trm.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "trm.lib.addresses.client_address"
# What a failed attempt's record keeps of the form: never the code typed at the second step.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "code"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False
OTP_TOTP_ISSUER = f"trm {NODE_NAME}"

# Mail: the console in development, SMTP in production.
_MAIL_BACKEND = env_str(
    "TRM_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND}}
if _MAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS["default"]["OPTIONS"] = {
        "host": env_str("TRM_EMAIL_HOST", "localhost"),
        "port": env_int("TRM_EMAIL_PORT", 25),
        "username": env_str("TRM_EMAIL_USER"),
        "password": env_str("TRM_EMAIL_PASSWORD"),
        "use_tls": env_bool("TRM_EMAIL_TLS", PRODUCTION),
        # Bounded well inside the worker's lease on an e-mail (TASK_RECLAIM_SECONDS).
        "timeout": env_int("TRM_EMAIL_TIMEOUT", 30),
    }
elif _MAIL_BACKEND.endswith("filebased.EmailBackend"):
    # Each e-mail written to a file in this folder: for tests and trials, never production.
    MAILERS["default"]["OPTIONS"] = {
        "file_path": env_str("TRM_EMAIL_FILE_PATH") or str(TRM_HOME / "mail")
    }
DEFAULT_FROM_EMAIL = env_str("TRM_EMAIL_FROM", "trm@localhost")
# The worker sends e-mails from the outbox (trm.deadlines.outbox): a failed one is tried again
# after 1, 2, 4… times TRM_EMAIL_RETRY_SECONDS, at most TRM_EMAIL_ATTEMPTS times in all.
EMAIL_ATTEMPTS = env_int("TRM_EMAIL_ATTEMPTS", 8)
EMAIL_RETRY_SECONDS = env_int("TRM_EMAIL_RETRY_SECONDS", 60)

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("fr", _("French")),
    ("es", _("Spanish")),
    ("it", _("Italian")),
    ("el", _("Greek")),
    ("pl", _("Polish")),
    ("sq", _("Albanian")),
    ("uk", _("Ukrainian")),
    ("ar", _("Arabic")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = TRM_HOME / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = TRM_HOME / "files"
# Attachments are kept encrypted in the database; this bounds each one (and each upload).
ATTACHMENT_MAX_BYTES = env_int("TRM_ATTACHMENT_MAX_MB", 10) * 1_000_000
DATA_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1_000_000
FILE_UPLOAD_MAX_MEMORY_SIZE = ATTACHMENT_MAX_BYTES + 1_000_000
# Uploads stay in memory and are refused once over the limit: never spooled to disk in clear.
FILE_UPLOAD_HANDLERS = ["trm.core.uploads.BoundedMemoryUploadHandler"]
# Static files are served from the packages without collectstatic (whitenoise finders).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Security headers. Scripts only from this node and only with the request's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "trm.core.views.csrf_failure"
if PRODUCTION:
    SECURE_HSTS_SECONDS = env_int("TRM_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_SSL_REDIRECT = env_bool("TRM_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

# Retention (trm.rights): a person is erased this many years after their case closed, unless
# their country's rule says otherwise, and only this many days after a dry-run report named them.
RETENTION_YEARS = env_int("TRM_RETENTION_YEARS", 5)
RETENTION_GRACE_DAYS = env_int("TRM_RETENTION_GRACE_DAYS", 14)

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# A task RUNNING longer than this is taken to have lost its worker (killed, machine gone): the
# worker's housekeeping marks it failed and runs it again. An e-mail a worker claimed is sent by
# another after as long. Longer than any task runs, so a slow one is not run twice at once.
TASK_RECLAIM_SECONDS = env_int("TRM_TASK_RECLAIM_SECONDS", 600)

# Logs carry identifiers and actions, never personal data; request bodies are not logged.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TRM_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

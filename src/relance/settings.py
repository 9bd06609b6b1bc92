"""One env-driven settings module (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("RELANCE_VAR_DIR", PROJECT_DIR / "var"))


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}")


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once into var/."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


RELANCE_ENV = os.environ.get("RELANCE_ENV", "development")
PRODUCTION = RELANCE_ENV == "production"
SECRET_KEY = _secret_key()
DEBUG = envbool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "django_htmx",
    "relance.core",
    "relance.accounts",
    "relance.ledger",
    "relance.activity",
    "relance.legal",
    "relance.imports",
    "relance.banking",
    "relance.dunning",
    "relance.channels",
    "relance.portal",
    "relance.analytics",
    "relance.web",
    "relance.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "relance.accounts.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relance.accounts.middleware.OrganisationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
]

ROOT_URLCONF = "relance.urls"
WSGI_APPLICATION = "relance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "relance.accounts.context_processors.organisation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DEFAULT_SQLITE_URL = f"sqlite:///{VAR_DIR / 'relance.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL") or DEFAULT_SQLITE_URL
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 0))
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    _db["OPTIONS"] = {
        # WAL lets the web app read while the worker writes; IMMEDIATE avoids lock upgrades failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- I18N -------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(os.environ.get("RELANCE_MEDIA_DIR", VAR_DIR / "media"))  # never served publicly
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail (EMAIL_URL) -----------------------------------------------------


def _email_settings(url: str) -> dict[str, object]:
    """Map EMAIL_URL onto Django's mail settings.

    smtp://host:port, smtp+tls://user:pass@host:587, smtps://user:pass@host:465,
    file:///dir (writes .eml files), console://, or an anymail provider such as brevo://API_KEY.
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "file":
        path = unquote(parsed.path) or str(VAR_DIR / "mail")
        return {"EMAIL_BACKEND": "relance.channels.backends.EmlFileBackend", "EMAIL_FILE_PATH": path}
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme in ("smtp", "smtp+tls", "smtps"):
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname or "localhost",
            "EMAIL_PORT": parsed.port or {"smtp": 25, "smtp+tls": 587, "smtps": 465}[scheme],
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": 30,
        }
    providers = {"brevo": "brevo", "mailjet": "mailjet", "scaleway": "scaleway", "sendgrid": "sendgrid"}
    if scheme in providers:
        return {
            "EMAIL_BACKEND": f"anymail.backends.{providers[scheme]}.EmailBackend",
            "ANYMAIL": {f"{scheme.upper()}_API_KEY": unquote(parsed.netloc)},
        }
    raise ImproperlyConfigured(f"EMAIL_URL: unsupported scheme {scheme!r}")


EMAIL_URL = os.environ.get("EMAIL_URL") or "file://"
_email = _email_settings(EMAIL_URL)
_anymail_keys: dict[str, str] = _email.pop("ANYMAIL", {})  # type: ignore[assignment]
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "relance@localhost")
SMS_URL = os.environ.get("SMS_URL") or f"file://{VAR_DIR / 'sms'}"
IMAP_URL = os.environ.get("IMAP_URL", "")
# Attach the account statement PDF to every reminder e-mail.
RELANCE_EMAIL_STATEMENT = envbool("RELANCE_EMAIL_STATEMENT", True)
# Per-file cap on imported files (a 1,000,000-line FEC weighs about 140 MB: raise it for those).
RELANCE_IMPORT_MAX_MB = envint("RELANCE_IMPORT_MAX_MB", 50)
# Anymail webhooks (delivery events, bounces) are checked with this shared secret ("user:password").
ANYMAIL = {"WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", ""), **_anymail_keys}

# --- Background work (Django Tasks) -----------------------------------------
# Embedded default: the database backend and one `relance worker`. TASKS_BACKEND=celery switches to
# Celery on CELERY_BROKER_URL (Redis or RabbitMQ); scheduling and idempotency stay in our tables.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "database")
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "celery": "relance.core.celery_backend.CeleryBackend",
        }[TASKS_BACKEND]
    }
}
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

# --- Cache ------------------------------------------------------------------
# Shared by every process of the install (web, worker, commands), so a change made by the worker reaches the
# dashboard at once: files under var/cache by default, Redis with CACHE_URL=redis://127.0.0.1:6379/1.
# Test runs (pytest sets PYTEST_VERSION) keep a per-process memory cache so parallel workers never share one.


def _cache_settings(url: str) -> dict[str, object]:
    if url.startswith(("redis://", "rediss://")):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    if url.startswith("locmem://") or (not url and os.environ.get("PYTEST_VERSION")):
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    if url.startswith("file://") or not url:
        return {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": unquote(urlparse(url).path) if url else str(VAR_DIR / "cache")}
    raise ImproperlyConfigured(f"CACHE_URL: unsupported scheme in {url!r}")


CACHES = {"default": _cache_settings(os.environ.get("CACHE_URL", ""))}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Legal computations -----------------------------------------------------
# A delay spanning half-years applies each half-year's rate to its own days (interpretation documented
# in the README, "Pénalités de retard"); false applies the rate of the half-year in which the delay started.
RELANCE_PENALTY_SPLIT_HALF_YEARS = envbool("RELANCE_PENALTY_SPLIT_HALF_YEARS", True)

# --- Debtor portal ----------------------------------------------------------
# Optional payment-service link shown beside the bank transfer details (Stripe, GoCardless…): a URL template
# with {amount}, {reference} and {customer}; empty (the default) shows bank transfer only.
PORTAL_PAYMENT_URL = os.environ.get("PORTAL_PAYMENT_URL", "")


def _trusted_proxies(name: str) -> list[str]:
    import ipaddress

    found = [p.strip() for p in os.environ.get(name, "").split(",") if p.strip()]
    for text in found:
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {text!r} is not an IP address or network")
    return found


# Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed for the portal's per-IP rate limits and
# evidence: the client is the rightmost address not in this list. Empty (the default): REMOTE_ADDR.
RELANCE_TRUSTED_PROXIES = _trusted_proxies("RELANCE_TRUSTED_PROXIES")

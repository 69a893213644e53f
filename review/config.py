"""Configuration read from the environment in one place."""

from __future__ import annotations

import os
from pathlib import Path

from media.asr import DOMAIN_PROMPT_ZH

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Return the templates/, static/ or migrations/ folder.

    They sit at the checkout's root; a wheel installs them inside the package (setup.cfg
    `package_dir`), since a top-level `templates` in site-packages would clash.
    """
    inside = PACKAGE / name
    return inside if inside.is_dir() else ROOT / name


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'huibao.sqlite3'}"
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


class Config:
    """Settings for a normal run; every value can come from the environment."""

    ENV_NAME = os.environ.get("HUIBAO_ENV", "development")
    INSTANCE_DIR = Path(os.environ.get("HUIBAO_INSTANCE", ROOT / "instance"))
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = _database_url(INSTANCE_DIR)
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")  # None: start the embedded redis-server
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "huibao:")
    MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", INSTANCE_DIR / "media"))

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", ENV_NAME == "production")
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # a long upload must not expire the form's token

    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = os.environ.get("HUIBAO_TIMEZONE", "Asia/Shanghai")
    LANGUAGES = ("zh_CN", "en")

    # Failed logins (review/services/throttle.py); successful ones are never counted.
    LOGIN_ACCOUNT_FAILURES = int(os.environ.get("LOGIN_ACCOUNT_FAILURES", "5"))
    LOGIN_ACCOUNT_DELAY = int(os.environ.get("LOGIN_ACCOUNT_DELAY", "30"))  # s, then doubling
    LOGIN_ACCOUNT_MAX_DELAY = int(os.environ.get("LOGIN_ACCOUNT_MAX_DELAY", "900"))
    LOGIN_ADDRESS_FAILURES = int(os.environ.get("LOGIN_ADDRESS_FAILURES", "200"))
    LOGIN_ADDRESS_WINDOW = int(os.environ.get("LOGIN_ADDRESS_WINDOW", "600"))  # s
    API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "30"))
    # Self-service password reset by email (review/services/password_reset.py).
    PASSWORD_RESET_MINUTES = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))  # link lifetime
    PASSWORD_RESET_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_PER_ACCOUNT", "3"))  # per hour
    PASSWORD_RESET_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_PER_ADDRESS", "20"))  # per hour
    # The reminder scan (review/services/reminders.py): how often the workers run it, and the
    # Beijing hour of the daily digests (reviewers, committee).
    REMINDER_SECONDS = float(os.environ.get("REMINDER_SECONDS", "300"))
    DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "8"))

    MAX_UPLOAD_BYTES = int(os.environ.get("MAX_UPLOAD_BYTES", str(1024**3)))
    # One tus PATCH at most (the page sends 6 MB chunks); nginx's client_max_body_size is above it.
    MAX_CHUNK_BYTES = int(os.environ.get("MAX_CHUNK_BYTES", str(16 * 1024**2)))
    # Request bodies: 1 MiB unless a view raises it (review/limits.py): a tus PATCH up to
    # MAX_CHUNK_BYTES, paper files up to their limits, a roster up to ROSTER_MAX_BYTES.
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(2**20)))
    ROSTER_MAX_BYTES = int(os.environ.get("ROSTER_MAX_BYTES", str(5 * 2**20)))
    UPLOAD_EXPIRE_HOURS = int(os.environ.get("UPLOAD_EXPIRE_HOURS", "24"))
    # Quotas (review/services/quotas.py): unfinished uploads at once, MB per period, free disk.
    # a phone, a laptop and one retry; three full-size videos; room for the transcodes of
    # videos already accepted.
    MAX_ACTIVE_UPLOADS = int(os.environ.get("MAX_ACTIVE_UPLOADS", "3"))
    UPLOAD_BUDGET_MB = int(os.environ.get("UPLOAD_BUDGET_MB", "3072"))
    MIN_FREE_DISK_MB = int(os.environ.get("MIN_FREE_DISK_MB", "2048"))
    # Paper files are parsed in a child process under these limits (media/sandbox.py).
    PAPER_PARSE_CPU_SECONDS = int(os.environ.get("PAPER_PARSE_CPU_SECONDS", "20"))
    PAPER_PARSE_MEMORY_MB = int(os.environ.get("PAPER_PARSE_MEMORY_MB", "768"))
    # Address space of each ffmpeg child (RLIMIT_AS); 4K HEVC on 16 cores peaks at ~2.2 GB.
    FFMPEG_MEMORY_MB = int(os.environ.get("FFMPEG_MEMORY_MB", "3072"))
    MIN_DURATION = float(os.environ.get("MIN_DURATION", "5"))
    MAX_DURATION = float(os.environ.get("MAX_DURATION", "600"))
    # What the committee expects (the hint says "建议 1–5 分钟"); shorter is flagged 视频过短.
    RECOMMENDED_MIN_DURATION = float(os.environ.get("RECOMMENDED_MIN_DURATION", "60"))
    RECOMMENDED_MAX_DURATION = float(os.environ.get("RECOMMENDED_MAX_DURATION", "300"))
    RUBRIC_MAX_POINTS = int(os.environ.get("RUBRIC_MAX_POINTS", "20"))
    # Processes drawing the PDF sheets of a large ZIP export (0: one per core, at most 4;
    # 1: draw them in the export job itself).
    EXPORT_PDF_WORKERS = int(os.environ.get("EXPORT_PDF_WORKERS", "0"))
    # Committee dashboard: review totals further apart than this fraction of the maximum.
    DISAGREEMENT_THRESHOLD = 0.2
    # Its per-branch figures and charts are counted at most this often per period (seconds; the
    # page says when; 0: on every request). Counting 100 000 submissions takes about 0.3 s.
    DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))
    # A released result can be withdrawn this long after release, until the activist opens it.
    RELEASE_WITHDRAW_HOURS = float(os.environ.get("RELEASE_WITHDRAW_HOURS", "24"))

    # Processing: a video's deadline is its steps' timeout plus DEADLINE_SLACK seconds; a
    # failed job is retried after each of RETRY_INTERVALS (seconds); the reconciler fails a
    # video stuck after MAX_ATTEMPTS enqueues.
    DEADLINE_SLACK = 120
    RETRY_INTERVALS = [10, 60]
    MAX_ATTEMPTS = 3

    WHISPER_ENGINE = os.environ.get("WHISPER_ENGINE", "faster-whisper")
    WHISPER_MODEL = os.environ.get("WHISPER_MODEL")  # None: the bundled base model
    WHISPER_DEVICE = os.environ.get("WHISPER_DEVICE", "cpu")
    WHISPER_COMPUTE_TYPE = os.environ.get("WHISPER_COMPUTE_TYPE")
    WHISPER_BEAM_SIZE = int(os.environ.get("WHISPER_BEAM_SIZE", "5"))
    WHISPER_THREADS = int(os.environ.get("WHISPER_THREADS", "0"))
    WHISPER_PROMPT = os.environ.get("WHISPER_PROMPT", DOMAIN_PROMPT_ZH)
    # Lexicon terms given to faster-whisper as hot-words, at most this many characters
    # (0: none); bench/asr_quality.py measures what they add on top of TERM_CORRECTION.
    WHISPER_HOTWORDS_CHARS = int(os.environ.get("WHISPER_HOTWORDS_CHARS", "0"))
    TERM_CORRECTION = _bool("TERM_CORRECTION", True)  # Party terms corrected in pinyin space
    # Audio longer than 4/3 of this is cut at pauses into chunks of about this many seconds,
    # each transcribed by its own asr job (any worker); 0: one job per video.
    TRANSCRIBE_CHUNK_SECONDS = float(os.environ.get("TRANSCRIBE_CHUNK_SECONDS", "45"))
    # Prompt a chunk with its predecessor's last sentence when that one is already done (off:
    # every chunk gets WHISPER_PROMPT alone, so its text depends on its audio only;
    # services/chunks.py and docs/performance.md give the measurements).
    TRANSCRIBE_CARRY_PROMPT = _bool("TRANSCRIBE_CARRY_PROMPT", False)
    MODEL_CACHE = Path(os.environ.get("MODEL_CACHE", INSTANCE_DIR / "models"))

    # Notifications (docs/notifications.md). PUBLIC_URL makes the links in emails and bot
    # messages absolute. SMTP_URL: smtp://user:pass@host:587 (STARTTLS), smtps://user:pass@host
    # (TLS from the start), smtp://host:25 (a local relay, plain; ?tls=none|starttls overrides);
    # unset: no email is sent.
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://localhost:5000")
    SMTP_URL = os.environ.get("SMTP_URL")
    MAIL_FROM = os.environ.get("MAIL_FROM", "汇报 <huibao@localhost>")
    SMTP_TIMEOUT = float(os.environ.get("SMTP_TIMEOUT", "10"))
    SMTP_CA_FILE = os.environ.get("SMTP_CA_FILE")  # a private CA for the mail server's TLS
    BOT_TIMEOUT = float(os.environ.get("BOT_TIMEOUT", "5"))
    # A failed delivery is retried after each interval (seconds), then the row is failed.
    NOTIFY_RETRY_INTERVALS = [
        int(s) for s in os.environ.get("NOTIFY_RETRY_INTERVALS", "60,300,1800,7200").split(",")
    ]
    NOTIFY_LEASE_SECONDS = int(os.environ.get("NOTIFY_LEASE_SECONDS", "120"))
    # No email or bot message in these hours (Beijing time); they go out when the hours end.
    QUIET_HOURS_START = os.environ.get("QUIET_HOURS_START", "22:00")
    QUIET_HOURS_END = os.environ.get("QUIET_HOURS_END", "07:30")

    # A read of one file by one user is audited once per window (playback sends many Ranges).
    AUDIT_READ_WINDOW = int(os.environ.get("AUDIT_READ_WINDOW", "600"))

    # Files the app creates under instance/ are its user's only (review/security.py).
    FILE_UMASK = int(os.environ.get("FILE_UMASK", "077"), 8)

    PROXY_COUNT = int(os.environ.get("PROXY_COUNT", "0"))  # front servers to trust
    SENDFILE_MODE = os.environ.get("SENDFILE_MODE", "")  # "", "x-accel", "x-sendfile"
    # nginx's `internal` location aliased to MEDIA_ROOT (deploy/nginx/huibao.conf)
    SENDFILE_ACCEL_PREFIX = os.environ.get("SENDFILE_ACCEL_PREFIX", "/protected-media/")
    LOG_TO_STDOUT = _bool("LOG_TO_STDOUT", False)

    # Worker liveness: an idle worker heartbeats every WORKER_TTL - 15 s, a busy one every
    # JOB_HEARTBEAT_TTL / 3 s; a job whose worker missed JOB_HEARTBEAT_TTL is retried.
    WORKER_TTL = int(os.environ.get("WORKER_TTL", "60"))
    JOB_HEARTBEAT_TTL = int(os.environ.get("JOB_HEARTBEAT_TTL", "30"))
    RECONCILE_SECONDS = float(os.environ.get("RECONCILE_SECONDS", "60"))
    HEALTH_MIN_FREE_BYTES = int(os.environ.get("HEALTH_MIN_FREE_BYTES", str(2 * 1024**3)))
    METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")  # Bearer token accepted by /metrics
    METRICS_ALLOW = os.environ.get("METRICS_ALLOW", "127.0.0.0/8,::1/128")  # networks, no token


class ProductionConfig(Config):
    """Production: secrets and services must be configured explicitly."""

    REQUIRED = ("SECRET_KEY", "DATABASE_URL", "REDIS_URL")


class TestConfig(Config):
    """Settings for the test suite; paths are filled in by the fixtures."""

    TESTING = True
    SECRET_KEY = "test-secret"
    DASHBOARD_CACHE_SECONDS = 0  # tests change data and read the page at once (one test: on)
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    ARGON2_FAST = True


def missing_production_settings() -> list[str]:
    """Name the environment variables production cannot start without."""
    return [name for name in ProductionConfig.REQUIRED if not os.environ.get(name)]

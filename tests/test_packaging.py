"""The wheel carries what the app reads at run time, and the app finds it when installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "node_modules", "instance", "test-artifacts", "__pycache__", "*.egg-info",
    "build", "dist", "*.mo", ".pytest_cache", ".mypy_cache", ".ruff_cache",
)  # fmt: skip

INSTALLED_APP = """
import sys
from pathlib import Path

site = Path(sys.argv[1])
sys.path.insert(0, str(site))
import review
from review import create_app

assert Path(review.__file__).parent == site / "review", review.__file__
app = create_app({
    "TESTING": True, "SECRET_KEY": "x", "INSTANCE_DIR": site.parent / "instance",
    "MEDIA_ROOT": site.parent / "instance" / "media", "REDIS_URL": sys.argv[2],
    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{site.parent / 'db.sqlite3'}",
})
assert Path(app.template_folder).is_relative_to(site), app.template_folder
assert Path(app.static_folder).is_relative_to(site), app.static_folder
assert Path(app.extensions["migrate"].directory).is_relative_to(site)
client = app.test_client()
assert "登录" in client.get("/login").get_data(as_text=True)
assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
assert client.get("/static/css/app.css").status_code == 200
from review.services.exports.font import FONT_FILE
assert FONT_FILE.is_relative_to(site) and FONT_FILE.is_file(), FONT_FILE  # the PDFs' font
print("ok")
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a copy of the checkout, catalogues compiled as `make install` does."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    for po in (src / "review" / "translations").glob("*/LC_MESSAGES/*.po"):
        with po.open("rb") as f, po.with_suffix(".mo").open("wb") as out:
            write_mo(out, read_po(f, locale=po.parts[-3]))
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "-w", str(tmp / "dist"), str(src)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    (found,) = (tmp / "dist").glob("huibao-*.whl")
    return found


def test_wheel_lists_templates_static_migrations_translations_and_license(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "review/templates/base.html",
        "review/templates/auth/login.html",
        "review/static/css/app.css",
        "review/migrations/env.py",
        "review/migrations/alembic.ini",
        "review/migrations/script.py.mako",
        "review/translations/en/LC_MESSAGES/messages.mo",
        "workers/worker.py",
        "media/probe.py",
        "media/data/party_terms.txt",  # the Party-term lexicon
    }
    assert expected <= names, sorted(expected - names)
    for folder in ("templates", "static", "migrations"):
        tracked = {
            p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()
        }
        tracked = {p for p in tracked if "__pycache__" not in p}
        assert {f"review/{p}" for p in tracked} <= names, folder
    assert not [n for n in names if n.endswith(".pyc")]
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith("/LICENSE") for n in names)
    assert not [n for n in names if n.split("/")[0] in {"templates", "static", "migrations"}]


def test_installed_wheel_finds_its_folders(wheel, tmp_path, redis_url):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    done = subprocess.run(
        [sys.executable, "-c", INSTALLED_APP, str(site), redis_url],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    assert done.stdout.strip() == "ok", done.stdout + done.stderr

"""scripts/test_deps.py on a fresh image: empty apt lists are updated before installing."""

from __future__ import annotations

import importlib.util
import os
import stat
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Stand-ins for apt-cache and apt-get that behave as on a fresh image: the lists know no
# package until `apt-get update` has run, and `install` fails on a package they do not know.
APT_CACHE = """#!/bin/sh
echo "apt-cache $*" >> "$APT_LOG"
[ -f "$APT_STATE/updated" ] && printf '%s:\\n  Installed: (none)\\n  Candidate: 1.0\\n' "$2"
exit 0
"""
APT_GET = """#!/bin/sh
echo "apt-get $*" >> "$APT_LOG"
case "$1" in
  update) touch "$APT_STATE/updated" ;;
  install) [ -f "$APT_STATE/updated" ] || { echo "E: Unable to locate package" >&2; exit 100; } ;;
esac
"""


@pytest.fixture
def test_deps(tmp_path, monkeypatch):
    """The script as a module, with a fake apt on PATH; returns (module, log file, state)."""
    bin_dir, state = tmp_path / "bin", tmp_path / "state"
    bin_dir.mkdir()
    state.mkdir()
    for name, body in (("apt-cache", APT_CACHE), ("apt-get", APT_GET)):
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(stat.S_IRWXU)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("APT_LOG", str(tmp_path / "apt.log"))
    monkeypatch.setenv("APT_STATE", str(state))
    spec = importlib.util.spec_from_file_location("test_deps", ROOT / "scripts" / "test_deps.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module, tmp_path / "apt.log", state


def test_empty_lists_are_updated_before_installing(test_deps, capsys):
    module, log, _ = test_deps
    module.apt_install({"chromium": "the Playwright browser tests"})
    calls = log.read_text().splitlines()
    assert calls[0] == "apt-cache policy chromium"
    assert calls[1] == "apt-get update -q"
    assert calls[2].startswith("apt-get install -y") and calls[2].endswith(" chromium")
    out = capsys.readouterr().out
    assert "apt-get update" in out and "installing chromium (the Playwright browser tests)" in out


def test_known_packages_install_without_an_update(test_deps, capsys):
    module, log, state = test_deps
    (state / "updated").touch()
    module.apt_install({"poppler-utils": "rendering the assessment PDF"})
    assert [c.split()[1] for c in log.read_text().splitlines()] == ["policy", "install"]
    assert "installing poppler-utils (rendering the assessment PDF)" in capsys.readouterr().out


def test_without_root_it_says_what_will_skip(test_deps, monkeypatch, capsys):
    module, log, _ = test_deps
    monkeypatch.setattr(module, "PACKAGES", {"chromium": ("/nonexistent/chromium", "browsers")})
    monkeypatch.setattr(module, "can_install", lambda: False)
    module.ensure_packages()
    assert not log.exists()
    assert "chromium is missing (browsers)" in capsys.readouterr().out

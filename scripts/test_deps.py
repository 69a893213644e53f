"""Install what some tests need beyond pip: Chromium, a CJK font, poppler, nginx, tus-js-client.

`make test` runs this first. As root with apt-get it installs what is missing, saying what and
why, and refreshes the package lists first when they do not know a package (a fresh image has
empty lists). Elsewhere it only says what is missing: the tests that need it are skipped
with the reason, except in CI (CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# package: (a file it installs, what needs it)
PACKAGES = {
    "chromium": ("/usr/bin/chromium", "the Playwright browser tests"),
    "fonts-wqy-microhei": (
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        "Chinese text in the browser screenshots",
    ),
    "poppler-utils": ("/usr/bin/pdftoppm", "rendering the assessment PDF"),
    "poppler-data": ("/usr/share/poppler/cMap/Adobe-GB1", "Chinese text in rendered PDFs"),
    "nginx": ("/usr/sbin/nginx", "tests/deploy: the shipped config in front of gunicorn"),
}
NODE_PACKAGES = {"nodejs": "the tus-js-client upload test", "npm": "installing tus-js-client"}


def say(message: str) -> None:
    """Print a line of this script's report."""
    print(f"test_deps: {message}", flush=True)


def can_install() -> bool:
    """Tell whether apt-get may install packages here (root with apt-get)."""
    return os.geteuid() == 0 and shutil.which("apt-get") is not None


def unknown_to_apt(packages: list[str]) -> list[str]:
    """Return the packages the apt lists have no installable version of."""
    unknown = []
    for pkg in packages:
        out = subprocess.run(
            ["apt-cache", "policy", pkg], capture_output=True, text=True, check=False
        ).stdout
        if "Candidate:" not in out or "Candidate: (none)" in out:
            unknown.append(pkg)
    return unknown


def apt_install(packages: dict[str, str]) -> None:
    """Install packages ({name: why}) with apt-get, updating the lists first if needed."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    unknown = unknown_to_apt(list(packages))
    if unknown:
        say(f"the apt package lists do not know {', '.join(unknown)}: apt-get update")
        subprocess.run(["apt-get", "update", "-q"], check=True, env=env, stdout=subprocess.DEVNULL)
    for pkg, why in packages.items():
        say(f"installing {pkg} ({why})")
    subprocess.run(
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def ensure_packages() -> None:
    """Install the missing Debian packages, or say which tests will skip without them."""
    missing = {pkg: why for pkg, (path, why) in PACKAGES.items() if not os.path.exists(path)}
    if not missing:
        return
    if not can_install():
        for pkg, why in missing.items():
            say(f"{pkg} is missing ({why}) and only root can install it: those tests will skip")
        return
    apt_install(missing)


def ensure_node_modules() -> None:
    """Install the npm devDependencies (tus-js-client, for the upload interop test) if missing."""
    if (ROOT / "node_modules" / "tus-js-client").is_dir():
        return
    if shutil.which("npm") is None and can_install():
        apt_install(NODE_PACKAGES)
    npm = shutil.which("npm")
    if npm is None:
        say("npm is missing and only root can install it: the tus-js-client test will skip")
        return
    say("npm install (tus-js-client, for the upload interop test)")
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


def main() -> int:
    """Install what is missing; return 0 (the tests themselves skip or fail what is absent)."""
    ensure_packages()
    ensure_node_modules()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Install what the tests need beyond pip: Debian's Chromium, a CJK font, nginx, tus-js-client."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PACKAGES = {
    "chromium": "/usr/bin/chromium",
    "fonts-wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "poppler-utils": "/usr/bin/pdftoppm",
    "poppler-data": "/usr/share/poppler/cMap/Adobe-GB1",
    "nginx": "/usr/sbin/nginx",  # tests/deploy runs the shipped config in front of gunicorn
}


def ensure_chromium() -> None:
    """Install Debian's chromium and a CJK font if missing and we may install packages."""
    missing = [pkg for pkg, path in PACKAGES.items() if not os.path.exists(path)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(
            f"missing {missing} and cannot install them here: browser tests will fail",
            file=sys.stderr,
        )
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(
        ["apt-get", "install", "-y", "-q", *missing], check=True, env=env, stdout=subprocess.DEVNULL
    )


def ensure_node_modules() -> None:
    """Install the npm devDependencies (tus-js-client, for the upload interop test) if missing."""
    if (ROOT / "node_modules" / "tus-js-client").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "nodejs", "npm"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        npm = shutil.which("npm")
    if npm is None:
        print("npm not found: the tus-js-client interop test will fail", file=sys.stderr)
        return
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund"], check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


if __name__ == "__main__":
    ensure_chromium()
    ensure_node_modules()

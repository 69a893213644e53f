"""Install what the browser tests need beyond pip: Debian's Chromium (when root and missing)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys


def ensure_chromium() -> None:
    """Install Debian's chromium package if it is missing and we may install packages."""
    if shutil.which("chromium"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("chromium not found and cannot be installed here: browser tests will fail",
              file=sys.stderr)
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], check=True, env=env,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    ensure_chromium()

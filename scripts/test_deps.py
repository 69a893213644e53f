"""Install what the browser tests need beyond pip: Debian's Chromium and a CJK font."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys


PACKAGES = {"chromium": "/usr/bin/chromium",
            "fonts-wqy-microhei": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"}


def ensure_chromium() -> None:
    """Install Debian's chromium and a CJK font if missing and we may install packages."""
    missing = [pkg for pkg, path in PACKAGES.items() if not os.path.exists(path)]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print(f"missing {missing} and cannot install them here: browser tests will fail",
              file=sys.stderr)
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, env=env,
                   stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    ensure_chromium()

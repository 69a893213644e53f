"""Log in as each demo account and save phone and desktop screenshots of its home page.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:5000 OUTDIR
(needs Debian's chromium at /usr/bin/chromium; nothing is downloaded).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) "
    "AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.47(0x18002f2c) "
    "NetType/4G Language/zh_CN",
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}
ACCOUNTS = (
    ("activist", "2024001"),
    ("reviewer", "T1001"),
    ("committee", "C001"),
    ("admin", "admin"),
)


def main(base: str, out: Path) -> None:
    """Take the screenshots."""
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for role, username in ACCOUNTS:
            for kind, opts in (("phone", PHONE), ("desktop", DESKTOP)):
                context = browser.new_context(locale="zh-CN", **opts)
                page = context.new_page()
                page.goto(f"{base}/login")
                if role == "activist" and kind == "phone":
                    page.screenshot(path=str(out / "login-phone.png"), full_page=True)
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", "huibao-demo")
                page.click("button[type=submit]")
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / f"{role}-{kind}.png"), full_page=True)
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))

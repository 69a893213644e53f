"""English catalogue: complete for the current sources, placeholders intact, used by ?lang=en."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "review" / "translations" / "en" / "LC_MESSAGES" / "messages.po"
# %(name)s / %%, and the {name} fields that the templates' JavaScript fills in.
PLACEHOLDER = re.compile(r"%\(\w+\)[#0 +-]*\d*(?:\.\d+)?[sdifrx]|%%|%[sdif]|\{\w+\}")
HAN = re.compile(r"[\u3400-\u9fff]")


def _read(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="en")


def _forms(value: str | tuple) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


@pytest.fixture(scope="module")
def catalogue():
    """The English catalogue as committed."""
    return _read(PO)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The msgids of the current sources, extracted as `make translations` does."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    rc = CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "-o",
            str(pot),
            str(ROOT),
        ]
    )
    assert rc in (None, 0)
    return _read(pot)


def test_every_msgid_has_an_english_translation(extracted, catalogue):
    gaps = []
    for message in extracted:
        if not message.id:
            continue
        entry = catalogue.get(message.id)
        if entry is None or entry.fuzzy or not all(s.strip() for s in _forms(entry.string)):
            gaps.append(_forms(message.id)[0])
    assert not gaps, "untranslated (run `make translations`, then translate):\n" + "\n".join(gaps)
    assert len(list(extracted)) > 300


def test_catalogue_has_no_fuzzy_entries_and_plural_forms(catalogue):
    assert not catalogue.fuzzy
    assert catalogue.num_plurals == 2
    for message in catalogue:
        if message.id:
            assert not message.fuzzy, message.id
            assert len(_forms(message.string)) == len(_forms(message.id)), message.id


def test_placeholders_match_the_msgid(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        ids = _forms(message.id)
        for n, text in enumerate(_forms(message.string)):
            source = ids[min(n, len(ids) - 1)]
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(text)):
                wrong.append(f"{source!r} -> {text!r}")
    assert not wrong, "\n".join(wrong)


def test_catalogue_compiles(tmp_path, catalogue):
    with (tmp_path / "messages.mo").open("wb") as f:
        write_mo(f, catalogue)
    assert (tmp_path / "messages.mo").stat().st_size > 10_000


def test_app_reads_the_catalogue_compiled_for_the_run(app, translations):
    folder = Path(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    assert folder == translations and ROOT not in folder.parents
    assert (folder / "en" / "LC_MESSAGES" / "messages.mo").stat().st_size > 10_000


def test_login_page_switches_language(client):
    page = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Log in to Huibao" in page and "Student / staff ID" in page and "Password" in page
    assert not HAN.search(page.replace("简体中文", ""))
    again = client.get("/login").get_data(as_text=True)  # the choice is kept in the session
    assert "Log in to Huibao" in again
    back = client.get("/login?lang=zh_CN").get_data(as_text=True)
    assert "登录汇报" in back and "Log in to Huibao" not in back
    assert '<html lang="zh-CN">' in back


def test_default_stays_chinese_for_an_english_browser(client):
    page = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(
        as_text=True
    )
    assert "登录汇报" in page and "Log in" not in page


def test_activist_home_in_english(client, auth, people):
    auth.login("a1")
    home = client.get(
        "/", follow_redirects=True
    ).request.path  # the footer link: ?lang= on the page
    page = client.get(f"{home}?lang=en").get_data(as_text=True)
    for words in (
        "My thought reports",
        "Activist",
        "Log out",
        "Deadline:",
        "Video report",
        "Written thought report",
        "Not started",
        "Change password",
    ):
        assert words in page, words
    data = ("李明", "2026年第四季度", "简体中文")  # the user's name, the period's name, the switch
    for item in data:
        page = page.replace(item, "")
    assert not HAN.search(page), HAN.findall(page)
    back = client.get(f"{home}?lang=zh_CN").get_data(as_text=True)
    assert "我的思想汇报" in back and "My thought reports" not in back


def test_language_chosen_before_login_is_kept(client, auth, people):
    client.get("/login?lang=en")
    auth.login("r1")
    page = client.get("/", follow_redirects=True).get_data(as_text=True)
    assert "Review queue" in page and "Branch reviewer" in page


def test_language_choice_survives_a_redirect_and_keeps_the_query(client, auth, people):
    auth.login("r1")
    client.get("/?lang=en")  # the index only redirects
    page = client.get("/reviews/?period=1").get_data(as_text=True)
    assert 'lang="en"' in page  # the choice made on a redirecting URL was kept
    assert re.search(r'href="/reviews/\?[^"]*period=1[^"]*lang=zh_CN', page)

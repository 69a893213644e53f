"""Versioned static URLs (WeChat caches hard) and the in-app browser's video attributes."""

from __future__ import annotations

import re
from pathlib import Path

from review.assets import static_version, tree_version

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))
VIDEO = re.compile(r"<video\b[^>]*>", re.S)
WECHAT = ("playsinline", "webkit-playsinline", "x5-playsinline", 'x5-video-player-type="h5"')


def test_every_template_links_static_files_through_static_url():
    found = [p.name for p in TEMPLATES if "url_for('static'" in p.read_text(encoding="utf-8")]
    assert found == []


def test_every_video_plays_inline_in_wechat():
    videos = [(p.name, m.group(0)) for p in TEMPLATES for m in VIDEO.finditer(p.read_text())]
    assert len(videos) >= 3
    for name, tag in videos:
        for attr in WECHAT:
            assert re.search(rf"(?<![\w-]){re.escape(attr)}", tag), (name, attr, tag)


def test_pages_load_versioned_assets_cached_for_a_year(app, client, people):
    from tests.reviews.conftest import login

    with app.test_request_context():
        version = static_version()
    assert version == tree_version(Path(app.static_folder))
    html = client.get("/login").get_data(as_text=True)
    assert f'href="/static/v/{version}/css/app.css"' in html
    login(client, "r1")
    queue = client.get("/reviews/").get_data(as_text=True)
    assert f'src="/static/v/{version}/js/review.js"' in queue
    # review.js imports "./lib.js": the version in the path reaches the modules it imports
    resp = client.get(f"/static/v/{version}/js/lib.js")
    assert resp.status_code == 200 and b"export" in resp.data
    assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    resp.close()
    stale = client.get("/static/v/000000000000/js/lib.js")  # an old page after a deploy
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "public, no-cache"
    stale.close()
    assert client.get(f"/static/v/{version}/js/missing.js").status_code == 404
    assert client.get(f"/static/v/{version}/../review/config.py").status_code == 404


def test_the_version_changes_with_any_static_file(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "a.js").write_text("export const a = 1;")
    before = tree_version(tmp_path)
    (tmp_path / "js" / "a.js").write_text("export const a = 2;")
    assert tree_version(tmp_path) != before

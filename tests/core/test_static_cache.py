"""Static files are linked by their content's version and kept by the browser for a year under
that address (a phone on a slow line does not ask for the stylesheet again on every page); a
changed file gets a new address."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import coopkit


def test_stylesheet_is_linked_by_version_and_cached_for_a_year(client):
    html = client.get("/login").get_data(as_text=True)
    href = re.search(r'href="(/static/coopkit\.css\?v=([0-9a-f]+))"', html)
    assert href, "the stylesheet link carries no version"
    css = (Path(coopkit.__file__).parent / "static" / "coopkit.css").read_bytes()
    assert href.group(2) == hashlib.sha256(css).hexdigest()[:12]

    with client.get(href.group(1)) as kept:
        assert kept.status_code == 200 and kept.data == css
        assert kept.cache_control.max_age == 365 * 24 * 3600
        assert kept.cache_control.immutable and kept.cache_control.public


def test_an_unversioned_or_stale_address_is_not_kept_for_a_year(client):
    for url in ("/static/coopkit.css", "/static/coopkit.css?v=000000000000"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert response.cache_control.max_age != 365 * 24 * 3600, url
            assert not response.cache_control.immutable, url

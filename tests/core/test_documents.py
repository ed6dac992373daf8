"""The one PDF pipeline: HTML in, PDF out, only our own static files fetched, and the
result cached by the SHA-256 of its input in the database (shared by every server)."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.documents import pipeline
from coopkit.documents.models import CachedDocument
from coopkit.extensions import db

HTML = "<!doctype html><html lang='en-GB'><head><title>Test</title></head><body><h1>Register of members</h1>" \
       "<p>Asha Patel, admitted 1 March 2024.</p></body></html>"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def cached_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(CachedDocument)).scalar_one()


def test_render_makes_a_pdf_and_caches_it(app, monkeypatch):
    with app.app_context():
        pdf = pipeline.render_pdf(HTML)
        db.session.commit()
        assert pdf.startswith(b"%PDF-")
        text = pdf_text(pdf)
        assert "Register of members" in text and "Asha Patel" in text
        assert cached_count() == 1

        # The same input again comes from the cache: WeasyPrint is not called.
        def no_rendering(*args, **kwargs):
            raise AssertionError("rendered again instead of using the cache")

        monkeypatch.setattr(pipeline, "weasyprint_bytes", no_rendering)
        assert pipeline.render_pdf(HTML) == pdf
        # Different input (or a different stylesheet) is a different key.
        with pytest.raises(AssertionError, match="rendered again"):
            pipeline.render_pdf(HTML.replace("Asha", "Ben"))
        with pytest.raises(AssertionError, match="rendered again"):
            pipeline.render_pdf(HTML, stylesheets=("h1 { color: red }",))


def test_the_cache_key_covers_every_input():
    base = pipeline.input_key(HTML, (), {})
    assert base == pipeline.input_key(HTML, (), {})
    assert len({base, pipeline.input_key(HTML + " ", (), {}), pipeline.input_key(HTML, ("p{}",), {}),
                pipeline.input_key(HTML, (), {"pdf_variant": "pdf/a-3b"})}) == 4


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://127.0.0.1/",
    "https://example.org/logo.png",
    "coopkit-static:/../config.py",
    "coopkit-static:/../../setup.cfg",
    "coopkit-static:/no-such-file.png",
    "data:text/plain,hello",
])
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(pipeline.FetchRefused):
        pipeline.static_fetcher(url)


def test_the_fetcher_serves_our_static_files():
    fetched = pipeline.static_fetcher("coopkit-static:/favicon.svg")
    assert fetched["mime_type"] == "image/svg+xml"
    assert fetched["string"] == (pipeline.STATIC_DIR / "favicon.svg").read_bytes()


def test_a_document_cannot_reach_the_network_or_the_disk(app, tmp_path):
    """Links to a live server and to a local file in the HTML are never fetched."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server API
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: blue }")
    base = f"http://127.0.0.1:{server.server_port}"
    html = (f"<!doctype html><html><head><link rel='stylesheet' href='{base}/style.css'>"
            f"<link rel='stylesheet' href='file://{secret}'></head>"
            f"<body><p>Hello</p><img src='{base}/logo.png' alt=''><img src='file:///etc/hostname' alt=''></body></html>")
    try:
        with app.app_context():
            pdf = pipeline.render_pdf(html, use_cache=False)
    finally:
        server.shutdown()
        server.server_close()
    assert "Hello" in pdf_text(pdf)
    assert hits == []


def test_losing_a_cache_race_to_another_server_is_harmless(app, monkeypatch):
    """Another server stores the same rendering between our lookup and our insert."""
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("SQLite writers are serialised (BEGIN IMMEDIATE): the race cannot happen there")
        real = pipeline.weasyprint_bytes
        key = pipeline.input_key(HTML, (), {})

        def render_while_another_server_stores_it(*args, **kwargs):
            pdf = real(*args, **kwargs)
            with db.engine.begin() as other:
                other.execute(sa.insert(CachedDocument).values(sha256=key, content=pdf, size=len(pdf)))
            return pdf

        monkeypatch.setattr(pipeline, "weasyprint_bytes", render_while_another_server_stores_it)
        pdf = pipeline.render_pdf(HTML)
        db.session.commit()  # the request's own transaction is still usable
        assert pdf.startswith(b"%PDF-") and cached_count() == 1


def test_our_static_files_do_reach_the_pdf(app, monkeypatch):
    """WeasyPrint asks our fetcher for a static image and draws it into the PDF."""
    asked: list[str] = []
    real = pipeline.static_fetcher

    def recording(url, *args, **kwargs):
        asked.append(url)
        return real(url, *args, **kwargs)

    monkeypatch.setattr(pipeline, "static_fetcher", recording)
    page = "<!doctype html><html><body><p>Logo</p><img src='{}' alt='' width='80' height='80'></body></html>"
    with app.app_context():
        with_logo = pipeline.render_pdf(page.format("coopkit-static:/favicon.svg"), use_cache=False)
        without = pipeline.render_pdf(page.format("coopkit-static:/no-such.svg"), use_cache=False)
    assert "coopkit-static:/favicon.svg" in asked
    assert len(with_logo) > len(without) + 200  # the drawing is in the file


def test_cached_page_references_are_the_library_s_own_and_follow_new_pages():
    """pipeline.cache_page_references makes pydyf's page list linear to read (a tagged PDF reads it
    once per element); what it returns must stay exactly what pydyf computes, after every page."""
    import pydyf

    pipeline.cache_page_references()
    pipeline.cache_page_references()   # idempotent: still one layer of caching
    pdf = pydyf.PDF()

    def uncached(pdf):
        return tuple(f"{n} 0 R".encode("ascii") for n in pdf.pages["Kids"][::3])

    assert pdf.page_references == () == uncached(pdf)
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        assert pdf.page_references == uncached(pdf)
    pdf.pages["Kids"] = pydyf.Array([])   # the list replaced wholesale: read afresh
    assert pdf.page_references == ()


def test_a_tagged_pdf_of_many_pages_names_each_page_in_its_structure():
    html = '<html lang="en"><h1>Long</h1>' + "".join(f"<p>Paragraph {i}</p>" for i in range(400)) + "</html>"
    pdf = PdfReader(io.BytesIO(pipeline.weasyprint_bytes(html)))
    assert len(pdf.pages) > 3
    pages = {page.indirect_reference.idnum for page in pdf.pages}
    marked = set()
    stack = [pdf.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop().get_object()
        if "/Pg" in node:
            marked.add(node.raw_get("/Pg").idnum)
        kids = node.get("/K", [])
        stack += [k for k in (kids if isinstance(kids, list) else [kids]) if hasattr(k, "get_object")
                  and isinstance(k.get_object(), dict)]
    assert marked == pages   # every page's elements point at that page, none at a wrong one

"""The PDF pipeline. Every PDF in coopkit goes through :func:`render_pdf`.

WeasyPrint may only fetch our own static files: the URL fetcher refuses
``file://``, the network and anything outside ``coopkit/static``.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import mimetypes
import threading
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

from coopkit.database import add_unless_duplicate, utcnow
from coopkit.documents.models import CachedDocument
from coopkit.extensions import db

log = logging.getLogger("coopkit.documents")

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_PREFIX = "coopkit-static:/"
#: bump when the pipeline's own output changes, so old cache entries stop matching
PIPELINE_VERSION = "1"
PRINT_CSS_PATH = STATIC_DIR / "print.css"


class FetchRefused(ValueError):
    pass


def static_fetcher(url: str, timeout: int = 10, ssl_context=None) -> dict:
    """Serve ``coopkit-static:/name`` from our static folder; refuse everything else."""
    if not url.startswith(STATIC_PREFIX):
        raise FetchRefused(f"refused to fetch {url!r}: PDFs may only use coopkit's static files")
    relative = url[len(STATIC_PREFIX):].lstrip("/")
    path = (STATIC_DIR / relative).resolve()
    if STATIC_DIR not in path.parents or not path.is_file():
        raise FetchRefused(f"refused to fetch {url!r}")
    mime, _ = mimetypes.guess_type(path.name)
    return {"string": path.read_bytes(), "mime_type": mime or "application/octet-stream"}


def _url_fetcher():
    """``static_fetcher`` in the form this WeasyPrint wants: from version 67 a
    ``URLFetcher`` whose ``fetch`` returns a response, before that the function itself.
    A refused URL is skipped with a warning in WeasyPrint's log; the PDF still renders."""
    from weasyprint import urls

    if not hasattr(urls, "URLFetcherResponse"):
        return static_fetcher

    class StaticOnlyFetcher(urls.URLFetcher):
        def __init__(self):
            super().__init__(fail_on_errors=False)

        def fetch(self, url, headers=None):
            found = static_fetcher(url)
            return urls.URLFetcherResponse(url, body=found["string"],
                                           headers={"Content-Type": found["mime_type"]})

    return StaticOnlyFetcher()


def input_key(html: str, stylesheets: tuple[str, ...], options: dict) -> str:
    digest = hashlib.sha256()
    for part in (PIPELINE_VERSION, html, *stylesheets, repr(sorted(options.items()))):
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while WeasyPrint lays out a document.

    A layout builds millions of objects that all stay alive until the PDF is written, so each
    collection finds nothing to free, and the oldest generation is scanned again and again as
    it grows: a fifth of the CPU time of a 3,000-member register, more for larger ones, which
    made the time grow faster than the page count. The collector is back on (if it was) once
    the last render running in this process finishes; what the layout leaves is freed then."""
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def cache_page_references() -> None:
    """Make pydyf's ``PDF.page_references`` cached until a page is added. Idempotent.

    pydyf (WeasyPrint's PDF writer) builds the tuple of every page's reference afresh each time
    it is read, and a tagged PDF (``pdf_tags=True``) reads it once per tagged element: the cost
    grows with pages x elements. For a 10,000-member register that made writing the PDF 17 times
    as long as for 1,000 members, and the whole render 13 times. With the cache it is linear.
    The values are the library's own (its getter is called whenever the page list changed)."""
    import pydyf

    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or getattr(original.fget, "coopkit_cached", False):
        return

    def page_references(self):
        kids = self.pages["Kids"]
        key = (id(kids), len(kids))
        cached = self.__dict__.get("_coopkit_page_references")
        if cached is None or cached[0] != key:
            cached = self.__dict__["_coopkit_page_references"] = (key, original.fget(self))
        return cached[1]

    page_references.coopkit_cached = True
    pydyf.PDF.page_references = property(page_references, doc=original.__doc__)


def weasyprint_bytes(html: str, stylesheets: tuple[str, ...] = (), **options) -> bytes:
    """Render without the cache (the benchmark compares against this)."""
    import weasyprint

    cache_page_references()
    fetcher = _url_fetcher()
    with _gc_paused():
        document = weasyprint.HTML(string=html, base_url=STATIC_PREFIX, url_fetcher=fetcher)
        css = [weasyprint.CSS(string=PRINT_CSS_PATH.read_text(), url_fetcher=fetcher, base_url=STATIC_PREFIX)]
        css += [weasyprint.CSS(string=s, url_fetcher=fetcher, base_url=STATIC_PREFIX) for s in stylesheets]
        return document.write_pdf(stylesheets=css, pdf_tags=True, **options)


def render_pdf(html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None,
               use_cache: bool = True) -> bytes:
    """HTML -> PDF bytes, reusing a cached rendering of the exact same input.

    Changes: may add or touch a CachedDocument row (flushes).
    """
    options = {"pdf_variant": pdf_variant} if pdf_variant else {}
    key = input_key(html, stylesheets, options)
    if use_cache:
        cached = db.session.execute(
            sa.select(CachedDocument.content).where(CachedDocument.sha256 == key)
        ).scalar_one_or_none()
        if cached is not None:
            return bytes(cached)
    pdf = weasyprint_bytes(html, stylesheets, **options)
    if use_cache:
        # Another server may have rendered the same input meanwhile; the content is identical,
        # so losing that race is fine (the savepoint keeps the request's transaction usable).
        if db.session.get(CachedDocument, key) is None:
            add_unless_duplicate(CachedDocument(sha256=key, content=pdf, size=len(pdf), last_used_at=utcnow()))
        log.info("PDF rendered and cached: %s (%d bytes)", key[:12], len(pdf))
    return pdf


def cache_key(html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None) -> str:
    """The PDF cache's key for this input (what :func:`render_pdf` stores it under)."""
    return input_key(html, stylesheets, {"pdf_variant": pdf_variant} if pdf_variant else {})


def render_to_cache(html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None) -> str:
    """Render into the PDF cache (unless it is there already) and return its key, for a job
    whose result is fetched later with :func:`cached_pdf`. Changes: may add a CachedDocument (flushes)."""
    render_pdf(html, stylesheets=stylesheets, pdf_variant=pdf_variant)
    return cache_key(html, stylesheets=stylesheets, pdf_variant=pdf_variant)


def cached_rendering(html: str, *, stylesheets: tuple[str, ...] = (), pdf_variant: str | None = None) -> bytes | None:
    """The PDF of exactly this input if the cache holds it, else None: a second request for a
    document whose content has not changed is answered at once, without a job. Reads only."""
    return cached_pdf(cache_key(html, stylesheets=stylesheets, pdf_variant=pdf_variant))


def cached_pdf(key: str) -> bytes | None:
    """The cached PDF with this key, or None (never rendered, or the cache was cleared)."""
    content = db.session.execute(
        sa.select(CachedDocument.content).where(CachedDocument.sha256 == key)
    ).scalar_one_or_none()
    return bytes(content) if content is not None else None

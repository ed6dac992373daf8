"""Following a document job from the button to the PDF, as a person would."""

from __future__ import annotations

import re

DOWNLOAD = re.compile(r'href="([^"]*/documents/[A-Za-z0-9_-]+/file)"')


def fetch_pdf(client, response):
    """The PDF behind ``response``: sent at once (from the PDF cache), or a redirect to a job's
    progress page (in tests the job runs right after the commit), then its download."""
    if response.status_code == 302 and "/documents/" in response.headers["Location"]:
        progress = client.get(response.headers["Location"])
        assert progress.status_code == 200 and "Your PDF is ready" in progress.text, progress.text
        response = client.get(DOWNLOAD.search(progress.text).group(1))
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.status_code
    return response

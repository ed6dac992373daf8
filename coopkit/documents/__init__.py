"""The one PDF pipeline: HTML + print CSS -> WeasyPrint -> bytes, cached by content hash."""

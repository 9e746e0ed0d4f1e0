"""HTML documents as PDF, with WeasyPrint (pure Python over Pango; `scripts/_env.sh` installs its system
libraries when they are missing). Rendering takes a CPU for a few hundred milliseconds, so it runs in a
worker thread, never on the event loop."""

from __future__ import annotations

from pathlib import Path

from anyio import to_thread

__all__ = ["DOCUMENT_CSS", "html_to_pdf"]

DOCUMENT_CSS = Path(__file__).resolve().parents[2] / "web" / "static" / "css" / "documents.css"


def _render(html: str) -> bytes:
    from weasyprint import CSS, HTML  # imported on first use: it loads Pango and fonts (~0.5 s)

    def no_fetching(url: str, *args: object, **kwargs: object) -> dict[str, object]:
        raise ValueError(f"documents fetch nothing ({url[:80]})")  # no file:// or network reads from a document

    document = HTML(string=html, url_fetcher=no_fetching)
    return bytes(document.write_pdf(stylesheets=[CSS(filename=str(DOCUMENT_CSS))]))


async def html_to_pdf(html: str) -> bytes:
    """The document's PDF (A4, the documents stylesheet)."""
    return await to_thread.run_sync(_render, html)

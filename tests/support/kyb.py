"""Verification details for tests: the sign-up page's extra fields and a licence file to upload."""

from __future__ import annotations

import uuid
from typing import Any

from exchange.demo.kyb import example_details

__all__ = ["LICENCE_PDF", "licence_files", "sign_up_details"]

LICENCE_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def sign_up_details(org_name: str = "") -> dict[str, str]:
    """The four verification fields as the sign-up and verification pages name them."""
    return example_details(org_name or "Test Org", uuid.uuid4().hex)


def licence_files(content: bytes = LICENCE_PDF, name: str = "licence.pdf") -> dict[str, Any]:
    return {"licence": (name, content, "application/pdf")}

"""Error codes of accounts and organisations (sign-in, tokens, who may do what)."""

from __future__ import annotations

from exchange.errors import ErrorCode

ADMIN_ONLY = ErrorCode("admin_only", 403, "Only platform administrators may do this.")
BAD_CREDENTIALS = ErrorCode("bad_credentials", 401, "The email or password is wrong.")
BAD_TOKEN = ErrorCode("bad_token", 401, "The bearer token is unknown, revoked or expired.")
ORG_NOT_VERIFIED = ErrorCode("org_not_verified", 403, "Your organisation is not verified yet, so it may not do this.")
WRONG_ORG_KIND = ErrorCode(
    "wrong_org_kind", 403, "Your organisation's kind (buyer or seller) may not do this (sell, bid, ask for goods)."
)
VERIFICATION_INCOMPLETE = ErrorCode(
    "verification_incomplete",
    409,
    "The organisation has not given its legal name, Unified Social Credit Code, address and contact yet.",
)
ALREADY_VERIFIED = ErrorCode("already_verified", 409, "The organisation is verified already; nothing was changed.")
BAD_USCC = ErrorCode("bad_uscc", 422, "The Unified Social Credit Code is malformed or its check character is wrong.")
RESET_LINK_INVALID = ErrorCode(
    "reset_link_invalid", 422, "The password reset link was used already, has expired or is not one we sent."
)

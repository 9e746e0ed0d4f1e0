"""Error codes of uploaded files."""

from __future__ import annotations

from exchange.errors import ErrorCode

EMPTY_FILE = ErrorCode("empty_file", 422, "The uploaded file is empty.")
FILE_TOO_LARGE = ErrorCode("file_too_large", 413, "The uploaded file is larger than this kind of upload allows.")
FILE_TYPE = ErrorCode("file_type", 422, "The file's content is not one of the types this upload accepts.")

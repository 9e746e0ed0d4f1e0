"""Files users upload (lot photos and documents), kept under DATA_DIR with type and size checks."""

from exchange.uploads.storage import (
    UploadRule,
    check_upload,
    name_for_type,
    read_stored,
    remove_stored,
    sniff,
    store_bytes,
    uploads_root,
)

__all__ = [
    "UploadRule",
    "check_upload",
    "name_for_type",
    "read_stored",
    "remove_stored",
    "sniff",
    "store_bytes",
    "uploads_root",
]

"""msgspec Structs for notifications."""

from __future__ import annotations

from datetime import datetime

import msgspec

__all__ = ["Notification", "NotificationList"]


class Notification(msgspec.Struct):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class NotificationList(msgspec.Struct):
    items: list[Notification]
    unread: int

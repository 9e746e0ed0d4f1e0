"""msgspec Structs for notifications."""

from __future__ import annotations

from datetime import datetime

import msgspec

from exchange.paging import Page

__all__ = ["Notification", "NotificationList"]


class Notification(msgspec.Struct):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: datetime
    read: bool


class NotificationList(Page[Notification]):
    items: list[Notification]
    unread: int
    """How many of all your notifications (not only this page's) are unread."""

"""Page controllers (HTMX), one module per domain, calling the same services as the API."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from web.pages.accounts import AccountPages
from web.pages.admin import AdminPages
from web.pages.auctions import AuctionPages
from web.pages.home import HomePages
from web.pages.notifications import NotificationPages
from web.pages.orders import OrderPages

__all__ = ["page_controllers"]

page_controllers: list[ControllerRouterHandler] = [
    HomePages,
    AccountPages,
    AdminPages,
    OrderPages,
    NotificationPages,
    AuctionPages,
]

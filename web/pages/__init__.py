"""Page controllers (HTMX), one module per domain, calling the same services as the API."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from web.pages.accounts import AccountPages
from web.pages.admin import AdminPages
from web.pages.alerts import AlertPages, PricingPages
from web.pages.auctions import AuctionPages
from web.pages.desk import DeskPages, ProposalPages
from web.pages.disputes import DisputePages, DisputeQueuePages, InspectionPages
from web.pages.documents import DocumentPages
from web.pages.fees import FeeSchedulePages
from web.pages.finance import AdminFinancePages, SellerFinancePages
from web.pages.home import HomePages
from web.pages.language import LanguagePages
from web.pages.lots import CataloguePanels, LotPages, LotPostingPages, ReviewPages, SellerLotPages
from web.pages.notifications import NotificationPages
from web.pages.orders import OrderPages
from web.pages.password import PasswordPages
from web.pages.rfq import RfqPages, WantedPages
from web.pages.runner_up import RunnerUpOfferPages
from web.pages.sellers import SellerProfilePages
from web.pages.verification import VerificationPages

__all__ = ["page_controllers"]

page_controllers: list[ControllerRouterHandler] = [
    HomePages,
    LanguagePages,
    AccountPages,
    PasswordPages,
    AdminPages,
    VerificationPages,
    FeeSchedulePages,
    AdminFinancePages,
    SellerFinancePages,
    OrderPages,
    RunnerUpOfferPages,
    InspectionPages,
    DisputePages,
    DisputeQueuePages,
    DocumentPages,
    NotificationPages,
    LotPages,
    SellerProfilePages,
    LotPostingPages,
    SellerLotPages,
    ReviewPages,
    CataloguePanels,
    RfqPages,
    WantedPages,
    AuctionPages,
    AlertPages,
    PricingPages,
    DeskPages,
    ProposalPages,
]

"""Catalogue pages: browse and read lots, post and manage them (sellers), review them (admins)."""

from __future__ import annotations

from web.pages.lots._browse import LotPages
from web.pages.lots._posting import LotPostingPages
from web.pages.lots._review import ReviewPages
from web.pages.lots._seller import CataloguePanels, SellerLotPages, dashboard_panels_for
from web.templating import register_nav

__all__ = ["CataloguePanels", "LotPages", "LotPostingPages", "ReviewPages", "SellerLotPages", "dashboard_panels_for"]

for _role in ("anonymous", "buyer", "broker", "seller", "admin"):
    register_nav(_role, "/lots", "Browse lots", position=0 if _role == "anonymous" else 1)
register_nav("seller", "/seller/lots", "My lots", position=2)
register_nav("seller", "/lots/new", "Post a lot", position=3)
register_nav("admin", "/admin/reviews", "Reviews")

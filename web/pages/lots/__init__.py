"""Catalogue pages: browse and read lots, post and manage them (sellers), review them (admins)."""

from __future__ import annotations

from web.pages.lots._browse import LotPages
from web.pages.lots._posting import LotPostingPages
from web.pages.lots._review import ReviewPages
from web.pages.lots._seller import CataloguePanels, SellerLotPages, dashboard_panels_for

__all__ = ["CataloguePanels", "LotPages", "LotPostingPages", "ReviewPages", "SellerLotPages", "dashboard_panels_for"]

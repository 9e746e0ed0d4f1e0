"""A seller's public profile page: name, verification, member since, lots listed and sold, categories."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.lots import services
from exchange.params import Id

__all__ = ["SellerProfilePages"]


class SellerProfilePages(Controller):
    path = "/sellers"
    include_in_schema = False

    @get("/{org_id:int}")
    async def profile(self, org_id: Id, db_session: AsyncSession) -> Template:
        return Template(
            "lots/seller_profile.html", context={"profile": await services.seller_profile(db_session, org_id)}
        )

"""Money pages: the seller's payouts and sales dashboard; the admin's finance page (what sellers are owed,
payout batches and their CSV, a period's orders, fees and payouts as CSV)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts.guards import current_principal, requires_admin, requires_org_kind
from exchange.errors import DomainError, NotFound
from exchange.fees import documents, finance, payouts, sales
from exchange.fees import services as fee_services
from exchange.i18n.catalog import gettext, ngettext
from exchange.i18n.messages import Money, Msg, localized
from exchange.lots.models import Lot
from exchange.money import format_minor
from exchange.orders.models import Order
from exchange.params import Id
from exchange.runtime import Runtime
from web.charts import Bar, bar_chart
from web.form_errors import plain_words
from web.pages.forms import form_fields

__all__ = ["AdminFinancePages", "SellerFinancePages"]

DateParam = Annotated[str | None, QueryParameter(max_length=40)]


def _csv(content: str, filename: str) -> Response[str]:
    return Response(
        content=content,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )


def _lots(count: int) -> str:
    """A bar's count of lots, in the page's language."""
    return ngettext("%(num)s lot", "%(num)s lots", count) % {"num": count}


class SellerFinancePages(Controller):
    path = "/seller"
    include_in_schema = False
    guards = [requires_org_kind("seller")]

    @get("/payouts")
    async def payouts_page(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime
    ) -> Template:
        org_id = current_principal(request).org_id or 0
        rows = await db_session.execute(
            select(Order, Lot.title)
            .join(Lot, Lot.id == Order.lot_id)
            .where(Order.seller_org_id == org_id, Order.status.in_(documents.FINISHED))
            .order_by(Order.updated_at.desc(), Order.id.desc())
            .limit(100)
        )
        settled = []
        for order, title in rows.all():
            schedule = await fee_services.order_schedule(db_session, order, settings=runtime.settings)
            figures = await documents.figures_for(db_session, order, schedule)
            settled.append({"order": order, "title": title, "figures": figures})
        context = {
            "balances": await payouts.seller_balances(db_session, org_id),
            "settled": settled,
            "paid": await payouts.payout_lines_of_seller(db_session, org_id),
            "money": format_minor,
        }
        return Template("finance/seller_payouts.html", context=context)

    @get("/sales")
    async def sales_page(self, request: Request[Any, Any, Any], db_session: AsyncSession) -> Template:
        figures = await sales.sales_figures(db_session, current_principal(request).org_id or 0)
        charts = {
            "sell_through": bar_chart(
                [Bar(s.label, s.percent, f"{s.percent:.0f} % ({s.sold}/{s.offered})") for s in figures.sell_through],
                title=gettext("Sell-through by category: lots sold of lots offered"),
                max_value=100,
            ),
            "price": bar_chart(
                [Bar(p.label, p.percent, f"{p.percent:.0f} %") for p in figures.price_ratios],
                title=gettext("Price achieved as a share of the reference price, by category and grade"),
                reference=100,
            ),
            "days": bar_chart(
                [Bar(label, count, _lots(count)) for label, count in figures.days_to_sell],
                title=gettext("Days from going live to the order"),
            ),
        }
        return Template("finance/sales.html", context={"figures": figures, "charts": charts})


class AdminFinancePages(Controller):
    path = "/admin/finance"
    include_in_schema = False
    guards = [requires_admin]

    @get("/")
    async def finance_page(self, db_session: AsyncSession, runtime: Runtime) -> Template:
        owed = await payouts.owed_to_sellers(db_session)
        currencies = sorted({o.currency for o in owed})
        period = finance.parse_period(None, None, today=runtime.clock.now().date())
        context = {
            "owed": owed,
            "totals": {c: sum(o.amount_minor for o in owed if o.currency == c) for c in currencies},
            "batches": await payouts.batches(db_session),
            "batch_key": uuid.uuid4().hex,
            "period": period,
            "money": format_minor,
        }
        return Template("finance/admin.html", context=context)

    @post("/payouts")
    async def create_batch(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, runtime: Runtime
    ) -> Redirect:
        form = await form_fields(request)
        try:
            batch = await payouts.create_batch(
                db_session,
                key=form.get("key", "")[:300],
                currency=form.get("currency", "")[:8],
                at=runtime.clock.now(),
                created_by=current_principal(request).user_id,
            )
        except DomainError as error:
            await db_session.rollback()
            flash(request, f"{localized(error.title)}: {localized(plain_words(error))}", category="error")
            return Redirect("/admin/finance", status_code=303)
        total = format_minor(batch.total_minor, batch.currency)
        flash(
            request,
            Msg("Payout batch {batch}: {total} to pay.", batch=batch.id, total=Money(total, batch.currency)).render(),
            category="success",
        )
        return Redirect("/admin/finance", status_code=303)

    @get("/batches/{batch_id:int}/payouts.csv")
    async def batch_csv(self, db_session: AsyncSession, batch_id: Id) -> Response[str]:
        content = await payouts.batch_csv(db_session, batch_id)
        if content is None:
            raise NotFound(Msg("There is no payout batch {batch}.", batch=batch_id))
        return _csv(content, f"payout-batch-{batch_id}.csv")

    @get("/orders.csv")
    async def orders_csv(
        self, db_session: AsyncSession, runtime: Runtime, start: DateParam = None, end: DateParam = None
    ) -> Response[str]:
        period = finance.parse_period(start, end, today=runtime.clock.now().date())
        content = await finance.orders_csv(db_session, period, settings=runtime.settings)
        return _csv(content, f"orders-{period.label}.csv")

    @get("/payouts.csv")
    async def payouts_csv(
        self, db_session: AsyncSession, runtime: Runtime, start: DateParam = None, end: DateParam = None
    ) -> Response[str]:
        period = finance.parse_period(start, end, today=runtime.clock.now().date())
        return _csv(await finance.payouts_csv(db_session, period), f"payouts-{period.label}.csv")

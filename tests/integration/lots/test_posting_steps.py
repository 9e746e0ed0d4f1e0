"""The lot form in steps, as a browser without JavaScript gets it: six numbered sections in one form, the sale
step stating the rules (from the rules module and the operator's settings) before publishing can refuse."""

from __future__ import annotations

import re

from litestar import Litestar
from litestar.testing import AsyncTestClient

from exchange.i18n.formatting import duration_text
from exchange.lots.rules import LISTING_DAYS_RANGE
from tests.conftest import OrgFactory
from tests.support.pages import PageSession


async def test_the_lot_form_shows_its_six_steps_and_states_the_sale_rules_without_javascript(
    client: AsyncTestClient[Litestar], app: Litestar, make_org: OrgFactory
) -> None:
    seller = await make_org("seller")
    pages = PageSession(client)
    try:
        await pages.sign_in(seller)
        form = (await pages.get("/lots/new", headers={"Accept-Language": "en"})).text
        steps = re.findall(r'<section class="step[^"]*" id="step-(\w+)" data-step', form)
        assert steps == ["what", "specs", "condition", "files", "sale", "visibility"]
        low, high = LISTING_DAYS_RANGE
        window = duration_text(app.state.settings.min_bidding_window, "en")
        rules = re.search(r'data-testid="sale-rules">(.*?)</p>', form, re.S)
        assert rules is not None
        said = " ".join(re.sub(r"<[^>]+>", " ", rules.group(1)).split())
        assert f"A listing runs {low} to {high} days from publishing" in said
        assert f"Bidding closes at least {window} after publishing" in said
        # Only the chosen mode's fields show: the sealed-bid fields are marked to hide under a fixed price.
        assert re.search(r'class="field only-sealed_bid"><label for="min_bid"', form)
        assert re.search(r'class="field only-fixed_price"><label for="price"', form)
    finally:
        pages.close()

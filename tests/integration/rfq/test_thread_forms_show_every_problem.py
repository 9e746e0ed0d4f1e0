"""The forms of a negotiation (an offer, a paid sample, a message, and a seller's answer to a wanted request)
answer every problem at once, each under its own field, in the page's language; the input stays in the form and
nothing is sent. Without JavaScript the whole page comes back with a 422; with HTMX the form's card alone (a 200,
as htmx swaps only 2xx answers)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import Actor, OrgFactory
from tests.support.lots import live_lot
from tests.support.pages import PageSession
from tests.support.rfq import Deal, new_deal, post_wanted

FIELD_ERROR = re.compile(r'<p class="field-error" id="([^"]+)-error">(.*?)</p>', re.S)
ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
PAST = (date.today() - timedelta(days=3)).isoformat()
NOT_A_PHOTO = {"file": ("notes.txt", b"plain text, not a photo", "text/plain")}


def _errors(page: str) -> dict[str, str]:
    """{input name: its message} of every field message on the page."""
    return {name: html.unescape(" ".join(text.split())) for name, text in FIELD_ERROR.findall(page)}


@pytest.fixture
def pages(client: AsyncTestClient[Litestar]) -> Iterator[PageSession]:
    session = PageSession(client)
    yield session
    session.close()


async def _thread(client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory
                  ) -> tuple[Deal, int]:  # fmt: skip
    deal = await new_deal(client, db, make_org)
    return deal, int((await deal.open_rfq())["id"])


async def _messages(client: AsyncTestClient[Litestar], actor: Actor, thread_id: int) -> list[object]:
    answer = await client.get(f"/api/rfqs/{thread_id}/messages", headers=actor.headers)
    return list(answer.json()["items"])


async def test_an_offer_shows_a_bad_price_a_past_delivery_date_and_too_long_packaging_together(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal, thread_id = await _thread(client, db, make_org)
    await pages.sign_in(deal.seller)
    form = {"price": "a lot", "valid_for_hours": "168", "delivery_by": PAST, "payment_terms": "net45",
            "packaging": "p" * 1001, "message": "Best I can do this month"}  # fmt: skip

    english = await pages.post(f"/rfqs/{thread_id}/offers", form)
    assert english.status_code == 422
    errors = _errors(english.text)
    assert set(errors) == {"price", "delivery_by", "packaging"}
    assert errors["price"].startswith("This value must be a decimal amount in plain digits")
    assert errors["delivery_by"] == "The delivery date cannot be in the past."
    assert errors["packaging"] == "Enter at most 1000 characters."
    assert "Please correct the 3 marked fields." in english.text
    for kept in ('value="a lot"', f'value="{PAST}"', f'value="{"p" * 1001}"', ">Best I can do this month</textarea>",
                 '<option value="168" selected>', '<option value="net45" selected>'):  # fmt: skip
        assert kept in english.text, kept

    chinese = await pages.post(f"/rfqs/{thread_id}/offers", form, headers=ZH)
    assert chinese.status_code == 422
    errors = _errors(chinese.text)
    assert errors["price"].startswith("此项必须是由普通数字组成的金额")  # "This value must be a decimal amount"
    assert errors["delivery_by"] == "交货日期不能早于今天。"
    assert errors["packaging"] == "最多输入 1000 个字符。"
    assert "请修改标出的 3 项。" in chinese.text

    # With HTMX the offer card alone comes back, in place of the one that was sent.
    card = await pages.post(f"/rfqs/{thread_id}/offers", {**form, "valid_for_hours": "soon"}, htmx=True, headers=ZH)
    assert card.status_code == 200
    assert (card.headers["hx-retarget"], card.headers["hx-reswap"]) == ("#offer-card", "outerHTML")
    assert card.text.lstrip().startswith('<div class="card" id="offer-card"')
    errors = _errors(card.text)
    assert set(errors) == {"price", "valid_for_hours", "delivery_by", "packaging"}
    assert errors["valid_for_hours"] == "请选择报价的有效期。"
    assert 'value="a lot"' in card.text
    assert len((await deal.thread(deal.seller, thread_id))["offers"]) == 1  # nothing was sent


async def test_an_offer_out_of_turn_says_why_at_the_top_of_the_form_and_keeps_the_input(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal, thread_id = await _thread(client, db, make_org)
    await pages.sign_in(deal.buyer)  # the buyer's own request stands: it is the seller's turn
    refused = await pages.post(f"/rfqs/{thread_id}/offers", {"price": "29000.00", "valid_for_hours": "72"})
    assert refused.status_code == 409
    summary = refused.text.split('data-testid="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "Your last offer is still open" in summary
    assert 'value="29000.00"' in refused.text
    assert _errors(refused.text) == {}


async def test_a_sample_request_shows_a_zero_count_and_a_too_long_note_together(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal, thread_id = await _thread(client, db, make_org)
    await pages.sign_in(deal.buyer)
    form = {"units": "0", "note": "n" * 1001}
    english = await pages.post(f"/rfqs/{thread_id}/samples", form)
    assert english.status_code == 422
    assert _errors(english.text) == {"units": "Enter 1 or more.", "note": "Enter at most 1000 characters."}
    assert 'value="0"' in english.text
    assert f'value="{"n" * 1001}"' in english.text

    chinese = await pages.post(f"/rfqs/{thread_id}/samples", form, htmx=True, headers=ZH)
    assert chinese.status_code == 200
    assert chinese.headers["hx-retarget"] == "#sample-card"
    assert _errors(chinese.text) == {"units": "请输入不小于 1 的数。", "note": "最多输入 1000 个字符。"}
    assert (await deal.thread(deal.buyer, thread_id))["samples"] == []


async def test_a_message_shows_a_too_long_text_a_link_that_is_no_web_address_and_a_file_that_is_no_photo_together(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal, thread_id = await _thread(client, db, make_org)
    await pages.sign_in(deal.buyer)
    form = {"body": "b" * 4001, "link_url": "ftp://files.example/specs"}
    english = await pages.post(f"/rfqs/{thread_id}/messages", form, files=NOT_A_PHOTO)
    assert english.status_code == 422
    assert _errors(english.text) == {
        "body": "A message can be at most 4000 characters.",
        "link_url": "A link must be an http(s) address.",
        "file": "Attach a photo (JPEG, PNG, WebP) or a PDF document.",
    }
    assert f">{'b' * 4001}</textarea>" in english.text
    assert 'value="ftp://files.example/specs"' in english.text

    chinese = await pages.post(f"/rfqs/{thread_id}/messages", {**form, "body": "Photos?"}, files=NOT_A_PHOTO,
                               htmx=True, headers=ZH)  # fmt: skip
    assert chinese.status_code == 200
    assert chinese.headers["hx-retarget"] == "#message-card"
    assert _errors(chinese.text) == {
        "link_url": "链接必须是 http(s) 地址。",
        "file": "请附上照片（JPEG、PNG、WebP）或 PDF 文件。",  # noqa: RUF001
    }
    assert ">Photos?</textarea>" in chinese.text
    assert await _messages(client, deal.buyer, thread_id) == []


async def test_an_answer_to_a_wanted_request_shows_every_problem_together(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    buyer, seller, other_seller = await make_org("buyer"), await make_org("seller"), await make_org("seller")
    await live_lot(db, seller, sale_mode="fixed_price", price_minor=4_000_000)
    someone_elses = await live_lot(db, other_seller, sale_mode="fixed_price", price_minor=4_000_000)
    wanted = await post_wanted(client, buyer)
    await pages.sign_in(seller)
    url = f"/wanted/{wanted['id']}/answers"

    # No lot chosen, and a packaging text that does not read: the price and the date are checked all the same.
    form = {"lot_id": "", "price": "cheap", "delivery_by": PAST, "packaging": "p" * 1001, "message": "Ready now"}
    english = await pages.post(url, form)
    assert english.status_code == 422
    errors = _errors(english.text)
    assert set(errors) == {"lot_id", "price", "delivery_by", "packaging"}
    assert errors["lot_id"] == "Fill in this field."
    assert errors["price"].startswith("This value must be a decimal amount in plain digits")
    assert errors["delivery_by"] == "The delivery date cannot be in the past."
    assert errors["packaging"] == "Enter at most 1000 characters."
    assert 'value="cheap"' in english.text
    assert ">Ready now</textarea>" in english.text

    # Another seller's lot: the service's refusal carries the terms' problems too.
    form = {"lot_id": str(someone_elses), "price": "cheap", "delivery_by": PAST, "payment_terms": "net30"}
    chinese = await pages.post(url, form, headers=ZH)
    assert chinese.status_code == 422
    errors = _errors(chinese.text)
    assert set(errors) == {"lot_id", "price", "delivery_by"}
    assert errors["lot_id"] == "请用您自己的批次回应。"
    assert errors["delivery_by"] == "交货日期不能早于今天。"
    assert '<option value="net30" selected>' in chinese.text
    threads = await client.get("/api/rfqs", headers=seller.headers)
    assert threads.json()["items"] == []  # no answer was sent


async def test_a_sample_price_that_does_not_read_shows_under_its_input_with_the_input_kept(
    client: AsyncTestClient[Litestar], db: async_sessionmaker[AsyncSession], make_org: OrgFactory, pages: PageSession
) -> None:
    deal, thread_id = await _thread(client, db, make_org)
    asked = await client.post(f"/api/rfqs/{thread_id}/samples", json={"units": 5}, headers=deal.buyer.headers)
    assert asked.status_code == 201, asked.text
    sample_id = asked.json()["id"]
    await pages.sign_in(deal.seller)
    url = f"/rfqs/{thread_id}/samples/{sample_id}/price"

    english = await pages.post(url, {"unit_price": "free"})
    assert english.status_code == 422
    assert _errors(english.text)["unit_price"].startswith("This value must be a decimal amount in plain digits")
    assert 'value="free"' in english.text

    live_part = await pages.post(url, {"unit_price": "free"}, htmx=True, headers=ZH)
    assert live_part.status_code == 200
    assert live_part.headers["hx-retarget"] == "#thread-state"
    assert _errors(live_part.text)["unit_price"].startswith("此项必须是由普通数字组成的金额")
    assert (await deal.thread(deal.seller, thread_id))["samples"][0]["status"] == "requested"

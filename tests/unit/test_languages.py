"""Choosing a language, formatting money and times per locale, and messages kept for their readers."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from exchange.accounts.mails import registration_attempt_mail
from exchange.errors import Conflict
from exchange.i18n.formatting import money_text, number_text
from exchange.i18n.locales import from_accept_language, normalize_locale, using
from exchange.i18n.messages import Money, Msg, MsgText, When, localized, render_stored
from exchange.ledger.steps import _check_covers
from exchange.matching.proposals import state_error


def test_the_browser_language_picks_a_supported_locale_by_its_quality() -> None:
    assert from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert from_accept_language("en-US,en;q=0.9,zh-CN;q=0.8") == "en"
    assert from_accept_language("fr-FR, zh-Hans;q=0.5") == "zh_CN"
    assert from_accept_language("fr-FR, de") is None
    assert from_accept_language("zh;q=0, en;q=0.1") == "en"
    assert from_accept_language(None) is None
    assert normalize_locale("zh_Hans_CN") == "zh_CN"
    assert normalize_locale("klingon") is None


def test_money_is_yuan_in_chinese_and_cny_in_english_with_separators() -> None:
    assert money_text("1140000.00", "CNY", "zh_CN") == "¥1,140,000.00"
    assert money_text("1140000", "CNY", "en") == "1,140,000.00 CNY"
    assert money_text("not money", "CNY", "en") == "not money"
    assert number_text(12500, "en") == "12,500"


def test_a_stored_message_reads_in_each_readers_language_and_time_zone() -> None:
    message = Msg(
        "Total {total}, valid until {until}.",
        total=Money("24800.00", "CNY"),
        until=When(datetime(2026, 12, 20, 10, 0, tzinfo=UTC)),
    )
    stored = message.to_json()
    assert str(message) == "Total 24,800.00 CNY, valid until 20 Dec 2026, 18:00."  # Asia/Shanghai by default
    assert render_stored(stored, "fallback", "zh_CN") == "合计 ¥24,800.00，有效期至 2026年12月20日 18:00。"  # noqa: RUF001
    with using("en", "Europe/London"):
        assert render_stored(stored, "fallback") == "Total 24,800.00 CNY, valid until 20 Dec 2026, 10:00."
    assert render_stored(None, "the English title") == "the English title"


def test_an_error_detail_is_english_text_that_pages_show_in_their_language() -> None:
    detail = MsgText(Msg("{field} must be more than zero.", field="price"))
    assert detail == "price must be more than zero."
    with using("zh_CN"):
        assert localized(detail) == "price必须大于零。"  # no space after {field} (a page reads it as 此项)
        assert localized("Enter your name.") == "请输入您的姓名。"
        assert localized("words the catalogue lacks") == "words the catalogue lacks"


def test_a_refusal_whose_api_text_names_codes_reads_in_plain_words_on_a_page() -> None:
    refused = state_error("declined", "be accepted")
    assert refused.detail == "The proposal is declined: it cannot be accepted now (allowed: none)."
    with using("en"):
        assert localized(refused.detail) == "This proposal is already declined, so it cannot be accepted now."
    with using("zh_CN"):
        assert localized(refused.detail) == "此提案已被拒绝，现在无法接受。"  # noqa: RUF001
    with pytest.raises(Conflict) as short:
        _check_covers(7, "buyer_funds", "CNY", 150_000, 400_000)
    assert (
        short.value.detail == "Ledger account 7 (buyer_funds) has 150000 minor units available; 400000 cannot leave it."
    )
    with using("en"):
        assert localized(short.value.detail) == (
            "There is not enough money for this: 1,500.00 CNY is available, 4,000.00 CNY is needed."
        )
    with using("zh_CN"):
        assert localized(short.value.detail) == "余额不足：可用 ¥1,500.00，需要 ¥4,000.00。"  # noqa: RUF001


def test_an_account_email_is_written_in_its_recipients_language() -> None:
    chinese = registration_attempt_mail("li@example.com", "zh_CN")
    assert chinese["subject"] == "有人尝试使用您的电子邮箱地址注册"
    assert "li@example.com" in chinese["body"]
    english = registration_attempt_mail("li@example.com", None)
    assert english["subject"] == "Someone tried to register with your e-mail address"


def test_a_lot_in_the_wrong_state_is_named_in_the_readers_words_and_the_api_keeps_its_english() -> None:
    from exchange.lots.rules import require_draft

    with pytest.raises(Conflict) as refused:
        require_draft("in_review", "published")
    assert refused.value.detail == "Only a draft can be published; this lot is in review."
    with using("zh_CN"):
        assert localized(refused.value.detail) == "只有草稿才能发布；此批次当前为审核中。"  # noqa: RUF001


def test_a_dispute_step_out_of_turn_reads_in_plain_words_and_the_api_keeps_status_and_allowed_actions() -> None:
    from exchange.disputes.services._resolve import refuse

    refused = refuse("resolved", "accept_offer", "buyer")
    assert refused.detail == "The dispute is resolved: accept offer is not possible now. Allowed for you: none."
    with using("zh_CN"):
        assert localized(refused.detail) == "此操作现在无法进行：该纠纷当前为已解决。请刷新页面查看您可以进行的操作。"  # noqa: RUF001


def test_an_unknown_category_reads_as_a_choice_to_make_on_a_page_and_names_the_route_in_the_api() -> None:
    from exchange.errors import Unprocessable
    from exchange.lots.services._drafts import leaf_category

    with pytest.raises(Unprocessable) as refused:
        leaf_category("no-such/thing")
    assert refused.value.detail == "There is no category 'no-such/thing'; see GET /api/categories."
    with using("zh_CN"):
        assert localized(refused.value.detail) == "没有这个品类，请从列表中选择。"  # noqa: RUF001

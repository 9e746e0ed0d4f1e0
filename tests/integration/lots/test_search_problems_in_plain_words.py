"""A search the browse page cannot run says so in the reader's words: no query parameter names, lists of codes or
`spec.` syntax, which the JSON API keeps for developers."""

from __future__ import annotations

import html
import re

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
SEARCH_ERROR = re.compile(r'data-testid="search-error">(.*?)</div>', re.S)


def _problem(page: str) -> str:
    found = SEARCH_ERROR.search(page)
    assert found, "no search problem on the page"
    return html.unescape(" ".join(found.group(1).split()))


SPEC = "This spec filter cannot be read; clear it and choose again from the filters."
SPEC_ZH = "无法识别此规格筛选；请清除后从筛选项中重新选择。"  # noqa: RUF001
CASES = [
    ("grade=Z", "Choose a grade from the filters.", "请从筛选项中选择等级。"),
    ("sort=cheapest", "Choose an order from the list.", "请从列表中选择排序方式。"),
    (
        "offset=-3",
        "This page of results does not exist; start again from the first page.",
        "这一页结果不存在；请从第一页重新开始。",  # noqa: RUF001
    ),
    (
        "price_min=cheap",
        "Enter the lowest price in plain digits, like 40000.00.",
        "请用普通数字填写最低价，如 40000.00。",  # noqa: RUF001
    ),
    ("spec.width.gt=3", SPEC, SPEC_ZH),
    ("category=textiles/fabric&spec.fibre.gte=3", SPEC, SPEC_ZH),
]


@pytest.mark.parametrize(("query", "english", "chinese"), CASES)
async def test_a_search_the_page_cannot_run_is_explained_in_plain_words(
    client: AsyncTestClient[Litestar], query: str, english: str, chinese: str
) -> None:
    page = await client.get(f"/lots?{query}")
    assert page.status_code == 422
    assert _problem(page.text) == english
    assert _problem((await client.get(f"/lots?{query}", headers=ZH)).text) == chinese
    api = await client.get(f"/api/lots?{query}")  # the API still names the parameter, in English
    assert api.status_code == 422
    assert api.json()["field"] == query.rsplit("&", 1)[-1].split("=")[0]


async def test_a_spec_value_in_the_wrong_unit_keeps_its_labelled_message(client: AsyncTestClient[Litestar]) -> None:
    page = await client.get("/lots?category=textiles/fabric&spec.width.gte=3kg", headers=ZH)
    assert page.status_code == 422
    assert _problem(page.text).startswith("幅宽：")  # noqa: RUF001
    assert "spec." not in _problem(page.text)

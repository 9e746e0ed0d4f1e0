"""Demo verification answers: one unverified organisation waits for the admin, one was rejected with a reason."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import verification
from exchange.demo.context import DemoContext

__all__ = ["load_verification"]

REJECTION = (
    "The legal name on your business licence is 成都创启采购有限公司 (Chengdu Chuangqi Purchasing Co., Ltd.); "
    "please enter it as printed and upload a clearer scan of the licence."
)


async def load_verification(session: AsyncSession, context: DemoContext) -> None:
    await verification.reject_org(session, context.orgs["buyer4"], REJECTION)
    context.report.append("verification: Chengdu Start-up Buyers was rejected with a reason; Dongguan Polymer waits")

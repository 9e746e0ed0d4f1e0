"""Demo organisations and users: sellers, buyers, a broker and an admin."""

from __future__ import annotations

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from exchange.accounts import schemas, services
from exchange.demo.context import DemoContext
from exchange.demo.kyb import example_details

__all__ = ["DEMO_ORGS", "load_accounts"]

# handle, org name, kind, verified, user name, email
DEMO_ORGS = [
    ("seller1", "Jiangsu Hengli Textiles", "seller", True, "Chen Wei", "chen.wei@hengli-textiles.example"),
    ("seller2", "Ningbo Everbright Electronics", "seller", True, "Li Na", "li.na@everbright-elec.example"),
    ("seller3", "Foshan Metalworks", "seller", True, "Wang Fang", "wang.fang@foshan-metal.example"),
    ("seller4", "Dongguan Polymer Recycling", "seller", False, "Zhao Lei", "zhao.lei@dg-polymer.example"),
    ("buyer1", "Shanghai Auto Parts Procurement", "buyer", True, "Zhang Min", "zhang.min@sh-autoparts.example"),
    ("buyer2", "Hangzhou Garment Group Purchasing", "buyer", True, "Liu Yang", "liu.yang@hz-garment.example"),
    ("buyer3", "Shenzhen Welfare Supplies", "buyer", True, "Huang Jie", "huang.jie@sz-welfare.example"),
    ("buyer4", "Chengdu Start-up Buyers", "buyer", False, "Sun Li", "sun.li@cd-startup.example"),
    ("broker1", "Beijing Corporate Gifts", "broker", True, "Zhou Xin", "zhou.xin@bj-gifts.example"),
]
ADMIN_EMAIL = "admin@surplus.example"


async def load_accounts(session: AsyncSession, context: DemoContext) -> None:
    for handle, org_name, kind, verified, name, email in DEMO_ORGS:
        user, org = await services.register(
            session,
            msgspec.convert(
                {
                    "email": email,
                    "password": context.password,
                    "name": name,
                    "org": {"name": org_name, "kind": kind, **example_details(org_name)},
                },
                schemas.RegisterIn,
            ),
        )
        if verified:
            await services.verify_org(session, org.id)
        context.orgs[handle] = org.id
        context.users[handle] = user.id
        context.report.append(f"{kind:<7} {email}  ({org_name}{'' if verified else ', unverified'})")
    admin = await services.create_admin(session, ADMIN_EMAIL, context.password, name="Platform Admin")
    context.users["admin"] = admin.id
    context.report.append(f"admin   {ADMIN_EMAIL}")

"""How the dashboard names its tasks and figures, in the reader's language (presentation only: what counts
as a task lives in `exchange.dashboards`)."""

from __future__ import annotations

from exchange.i18n.catalog import N_

__all__ = ["FIGURE_WORDS", "TASK_WORDS"]

TASK_WORDS = {
    "rfq_to_answer": (N_("Negotiations waiting for your answer"), N_("RFQ inbox")),
    "drafts": (N_("Drafts to publish"), N_("All drafts")),
    "closing_soon": (N_("Your lots closing within 24 hours"), N_("Live lots")),
    "to_ship": (N_("Paid orders to ship"), N_("Orders to ship")),
    "to_ship_on_credit": (N_("Orders on credit terms you may ship before payment"), N_("Unpaid orders")),
    "disputes_to_answer": (N_("Disputes waiting for your answer"), N_("Disputed orders")),
    "slow_sale_advice": (N_("Slow-selling lots with advice to read"), N_("Live lots")),
    "proposals_to_answer": (N_("Brokers' proposals to answer"), N_("All proposals")),
    "runner_up_offers": (N_("Lots offered to you as the runner-up"), N_("Orders")),
    "to_pay": (N_("Orders to pay into escrow"), N_("Orders to pay")),
    "to_receive": (N_("Shipped orders: confirm delivery"), N_("Shipped orders")),
    "to_inspect": (N_("Delivered orders to inspect and accept"), N_("Your orders")),
    "dispute_offers": (N_("Sellers' offers on your disputes"), N_("Disputed orders")),
    "bids_closing_soon": (N_("Lots you bid on closing within 24 hours"), N_("My bids")),
    "requests_without_proposals": (N_("Client requests without a proposal"), N_("Brokers' desk")),
    "proposals_awaiting_client": (N_("Proposals waiting for the client"), N_("All proposals")),
    "lots_in_review": (N_("Lots waiting for review"), N_("Review queue")),
    "orgs_to_verify": (N_("Organisations waiting for verification"), N_("Organisations")),
    "disputes_escalated": (N_("Disputes escalated to the admins"), N_("Arbitration queue")),
}
"""Each task's heading and the words of the link to its full list."""

FIGURE_WORDS = {
    "in_escrow": N_("Held in escrow"),
    "sold_this_month": N_("Sold this month"),
    "bought_this_month": N_("Bought this month"),
    "live_lots": N_("Lots on sale"),
    "open_bids": N_("Open bids"),
    "commission": N_("Commission in your account"),
    "accepted_this_month": N_("Proposals accepted this month"),
    "orders_this_month": N_("Orders this month"),
}

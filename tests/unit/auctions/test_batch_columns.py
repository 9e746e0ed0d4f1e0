"""The batch transaction names its tables by column only (so the SQLite writer process stays free of the
ORM): those columns are the models' columns."""

from __future__ import annotations

from exchange.auctions.batch import CURRENT_COLUMNS, REVISION_COLUMNS
from exchange.auctions.models import Bid, BidRevision


def test_a_revision_row_fills_every_column_of_bid_revisions_but_its_id() -> None:
    columns = [column.name for column in BidRevision.__table__.columns]
    assert sorted(REVISION_COLUMNS) == sorted(name for name in columns if name != "id")


def test_a_current_row_fills_every_column_of_bids() -> None:
    assert sorted(CURRENT_COLUMNS) == sorted(column.name for column in Bid.__table__.columns)

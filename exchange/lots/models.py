"""A lot is one whole lot of surplus, sold to exactly one buyer."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from exchange.db.base import Base, utcnow

__all__ = [
    "ASKING_PRICE",
    "ID_COVER",
    "SEARCH_COVER_COLUMNS",
    "SPEC_NUMBER_SLOTS",
    "Lot",
    "LotDocument",
    "LotInvite",
    "LotSpecValue",
    "LotTerm",
]

# Byte-wise ordering on PostgreSQL too, so a prefix search is an index range (SQLite's default is byte-wise).
_Term = String(64).with_variant(String(64, collation="C"), "postgresql")
_MATCH_COLUMNS = (
    "status", "category", "grade", "visibility", "seller_org_id", "currency", "quantity_unit", "sale_mode",
    "quantity_value", "price_minor", "min_bid_minor", "best_before", "location_region", "location_city",
)  # fmt: skip

SPEC_NUMBER_SLOTS = 4
"""A lot's first four number specs (in its category's catalogue order, SI base units) are columns of the lot
too, `spec_n1`..`spec_n4`, so spec range filters are checked on the search index entry."""
SEARCH_COVER_COLUMNS = (
    "status", "category", "visibility", "grade",
    *(f"spec_n{slot}" for slot in range(1, SPEC_NUMBER_SLOTS + 1)),
    "sale_mode", "currency", "price_minor", "min_bid_minor", "seller_org_id", "published_at", "ends_at",
)  # fmt: skip


class Lot(Base):
    __tablename__ = "lots"
    __table_args__ = (
        Index("ix_lots_status_category", "status", "category"),
        Index("ix_lots_status_closes_at", "status", "closes_at"),
        Index("ix_lots_status_published_at", "status", "published_at"),
        # Covers the search's filters, facet counts and sort keys, so counting a million lots never reads the
        # (wide) lot rows: one range of this index per category, every filter checked on the index entry. Its
        # entries end with the id (SQLite's by itself, PostgreSQL's by INCLUDE), so a page's ids come from it too.
        Index("ix_lots_search_cover", *SEARCH_COVER_COLUMNS, postgresql_include=["id"]),
        Index("ix_lots_status_ends_at", "status", "ends_at"),
        # Covers the brokers' desk's first pass (`exchange.matching.shortlist`): every column its score ceiling
        # and sure failures read, so ranking a category of 100 000 lots never reads the lot rows.
        Index("ix_lots_match", *_MATCH_COLUMNS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seller_org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    category: Mapped[str] = mapped_column(String(80))
    specs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    """Spec values as given, normalised to the schema's unit for numbers."""
    quantity_value: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    quantity_unit: Mapped[str] = mapped_column(String(24))
    grade: Mapped[str] = mapped_column(String(1))
    defects: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(16), default="other")
    reference_price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """List price per unit of quantity, in minor units of `currency`."""
    currency: Mapped[str] = mapped_column(String(3), default="CNY")
    location_city: Mapped[str] = mapped_column(String(80), default="")
    location_region: Mapped[str] = mapped_column(String(80), default="")
    location_country: Mapped[str] = mapped_column(String(2), default="CN")
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    best_before: Mapped[date | None] = mapped_column(Date, default=None)

    sale_mode: Mapped[str] = mapped_column(String(16))  # sealed_bid | fixed_price
    price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Fixed price for the whole lot (fixed_price mode)."""
    reserve_price_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Hidden reserve for sealed bids: only the seller ever sees it."""
    min_bid_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    """Public minimum bid for sealed bids (optional)."""
    second_price: Mapped[bool] = mapped_column(Boolean, default=False)
    deposit_percent: Mapped[int | None] = mapped_column(Integer, default=None)
    closes_at: Mapped[datetime | None] = mapped_column(default=None)
    rfq_enabled: Mapped[bool] = mapped_column(Boolean, default=True)

    visibility: Mapped[str] = mapped_column(String(8), default="public")  # public | private
    status: Mapped[str] = mapped_column(String(16), default="draft")
    review_reason: Mapped[str] = mapped_column(Text, default="")
    listing_days: Mapped[int] = mapped_column(Integer, default=14)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    ends_at: Mapped[datetime | None] = mapped_column(default=None)
    """End of the listing window; an unsold lot is delisted then."""
    winning_amount_minor: Mapped[int | None] = mapped_column(BigInteger, default=None)
    spec_n1: Mapped[float | None] = mapped_column(Float, default=None)
    spec_n2: Mapped[float | None] = mapped_column(Float, default=None)
    spec_n3: Mapped[float | None] = mapped_column(Float, default=None)
    spec_n4: Mapped[float | None] = mapped_column(Float, default=None)
    """Number specs by slot (see SPEC_NUMBER_SLOTS), written with the spec index by `reindex_lot`."""
    relisted_from_id: Mapped[int | None] = mapped_column(Integer, unique=True, index=True, default=None)
    """The lot this one relists (a sealed-bid lot whose buyer did not pay); unique: a lot is relisted once."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


ASKING_PRICE = func.coalesce(Lot.price_minor, Lot.min_bid_minor)
"""A lot's price in a search's price sorts and filters: the fixed price, or a sealed bid's minimum."""

# The sort orders' indexes, which a word search walks to its page, checking each lot's words on the way
# (`exchange.lots.search._word_search`). SQLite: (status, key), read either way. PostgreSQL: one partial index
# per sort over live lots only, in the sort's own direction with its NULLS LAST and the id tie-break, holding
# the columns searches filter on, so the walk checks them on index entries (migration 0030_search_words).
Index("ix_lots_status_asking", Lot.status, ASKING_PRICE).ddl_if(dialect="sqlite")
_LIVE = text("status = 'live'")
_FILTERED = ["visibility", "category", "grade", "sale_mode", "seller_org_id"]
for _name, _keys in (
    ("ix_lots_live_newest", (Lot.published_at.desc().nulls_last(), Lot.id.desc())),
    ("ix_lots_live_closing", (Lot.ends_at.asc().nulls_last(), Lot.id.asc())),
    ("ix_lots_live_cheapest", (ASKING_PRICE.asc().nulls_last(), Lot.id.asc())),
    ("ix_lots_live_dearest", (ASKING_PRICE.desc().nulls_last(), Lot.id.desc())),
):
    Index(_name, *_keys, postgresql_where=_LIVE, postgresql_include=_FILTERED).ddl_if(dialect="postgresql")
# A word search's postings checked against their lots index-only: SQLite reads this narrow entry (named in
# the count's SQL, `exchange.lots.search._word_search`) instead of the wide row (migration 0034_lot_id_cover)...
_ID_COVER_COLUMNS = ("id", "status", "visibility", "category", "grade", "sale_mode", "seller_org_id")
ID_COVER = Index("ix_lots_id_cover", *(Lot.__table__.c[name] for name in _ID_COVER_COLUMNS)).ddl_if(dialect="sqlite")
# ...and PostgreSQL, in id order, or against a category's live lots (migration 0033_pg_search).
for _index, _key_names in (("ix_lots_live_id", ("id",)), ("ix_lots_live_category_id", ("category", "id"))):
    _columns = [Lot.__table__.c[key] for key in _key_names]
    _included = [column for column in _FILTERED if column not in _key_names]
    Index(_index, *_columns, postgresql_where=_LIVE, postgresql_include=_included).ddl_if(dialect="postgresql")


class LotInvite(Base):
    """A buyer org invited to see a private lot."""

    __tablename__ = "lot_invites"

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id"), primary_key=True, index=True)


class LotSpecValue(Base):
    """One spec value of a lot, kept so that spec filters are index range scans, not JSON scans.

    Numbers are stored in SI base units (a width of 150 cm is 1.5), so every category's widths compare
    and a filter in any unit converts once; enum, text and bool values are stored lower-cased. The
    lot's category is repeated here (it only changes while the lot is a draft, when the lot is
    re-indexed) so a filter within a category reads only that category's range of the index.
    """

    __tablename__ = "lot_spec_values"
    __table_args__ = (
        Index("ix_lot_spec_values_key_num", "key", "num_value", "lot_id"),
        Index("ix_lot_spec_values_key_category_num", "key", "category", "num_value", "lot_id"),
        Index("ix_lot_spec_values_key_text", "key", "text_value", "lot_id"),
    )

    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True)
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    category: Mapped[str] = mapped_column(String(80))
    num_value: Mapped[float | None] = mapped_column(Float, default=None)
    text_value: Mapped[str | None] = mapped_column(String(200), default=None)


class LotTerm(Base):
    """A search word of a lot (title, description, category, spec text, place), for `q` without LIKE scans.

    `category` is the lot's, written with the terms by `reindex_lot`, so a word within a category is one
    range of `ix_lot_terms_term_category`."""

    __tablename__ = "lot_terms"
    __table_args__ = (Index("ix_lot_terms_term_category", "term", "category", "lot_id"),)

    term: Mapped[str] = mapped_column(_Term, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), primary_key=True, index=True)
    category: Mapped[str] = mapped_column(String(80))


class LotDocument(Base):
    """A photo or document of a lot, stored under DATA_DIR (quality report, certificate, authorisation...)."""

    __tablename__ = "lot_documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200))
    """Path relative to the uploads directory; never derived from the client's file name."""
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    thumb_key: Mapped[str | None] = mapped_column(String(200), default=None)
    """A photo's JPEG preview (uploads.thumbnails), when Pillow could read the photo."""

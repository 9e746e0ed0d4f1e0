"""GET /api/categories: the category tree with each category's spec schema and compliance rules."""

from __future__ import annotations

from litestar import Controller, get

from exchange.specs import schemas
from exchange.specs.catalog import Category, get_catalog

__all__ = ["CategoriesController", "category_out"]


def category_out(category: Category) -> schemas.Category:
    return schemas.Category(
        code=category.code,
        name=category.name,
        parent=category.parent,
        leaf=category.is_leaf,
        spec_schema=[
            schemas.SpecField(
                key=f.key,
                label=f.label,
                type=f.type,
                required=f.required,
                unit=f.unit,
                unit_label=f.unit_label,
                choices=list(f.choices) or None,
                example=f.example,
            )
            for f in category.fields
        ],
        rules=[
            schemas.ComplianceRule(
                kind=r.kind,
                description=r.description,
                certificate=r.certificate,
                field=r.field,
                document=r.document,
                min_days=r.min_days,
            )
            for r in category.rules
        ],
    )


class CategoriesController(Controller):
    path = "/api/categories"
    tags = ["catalogue"]

    @get("/", summary="Every category with its spec schema and compliance rules (lots are posted to leaves)")
    async def list_categories(self) -> list[schemas.Category]:
        return [category_out(c) for c in get_catalog().categories.values()]

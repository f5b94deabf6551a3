"""How records read in the report: the order of events, their numbers and a one-line phrase each.

Every function that returns HTML escapes what it takes from the records: article
text and entity names are untrusted input.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pydantic import BaseModel

from newsx.schemas.records import EntityRef, EventBase, Money

# Per event type: the sentence of its required arguments, then a clause per optional argument when present.
PHRASES: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "personnel.departure": ("{person} left {organization}", (("destination", " for {}"), ("role", " (was {})"))),
    "personnel.hire": ("{person} joined {organization}", (("origin", " from {}"), ("role", " as {}"))),
    "personnel.appointment": ("{person} appointed {role} of {organization}", (("predecessor", ", succeeding {}"),)),
    "personnel.leave": ("{person} on leave from {organization}", (("until", " until {}"),)),
    "personnel.dismissal": ("{person} dismissed by {organization}", (("reason", " over {}"),)),
    "org.founding": ("{organization} founded", (("founders", " by {}"),)),
    "org.funding": (
        "{organization} raised funding",
        (("amount", ": {}"), ("round", ", {}"), ("investors", " from {}"), ("valuation", ", valued at {}")),
    ),
    "org.acquisition": ("{acquirer} acquired {target}", (("amount", " for {}"),)),
    "org.restructuring": ("{organization} restructured", (("change", ": {}"),)),
    "legal.lawsuit": ("{plaintiff} sued {defendants}", (("claim", " over {}"),)),
    "product.release": ("{organization} released {product}", ()),
}


def short_type(record_type: str) -> str:
    """`personnel.departure` -> `departure`: the category is shown by colour."""
    return record_type.rsplit(".", 1)[-1]


def type_category(record_type: str) -> str:
    """`personnel.departure` -> `personnel`, the CSS class that colours the type badge."""
    return record_type.split(".", 1)[0]


def date_key(date: str | None) -> tuple[int, str]:
    """Dated first in ISO order (year-only before its months), undated last."""
    return (0, date) if date else (1, "")


def entity_refs(arguments: BaseModel) -> list[tuple[str, EntityRef]]:
    """Every entity-valued argument with its role, lists flattened, in the schema's field order."""
    found: list[tuple[str, EntityRef]] = []
    for role in type(arguments).model_fields:
        value = getattr(arguments, role)
        found.extend((role, item) for item in (value if isinstance(value, list) else [value]) if isinstance(item, EntityRef))
    return found


def ordered_events(events: list[EventBase]) -> list[EventBase]:
    """Events by date (undated last), then type and argument names: one stable order for table and timeline."""
    return sorted(
        events,
        key=lambda event: (date_key(event.date), event.type, [ref.name for _, ref in entity_refs(event.arguments)], event.event_id),
    )


def event_label(index: int) -> str:
    """The short name (E1, E2, …) that links a table row, the timeline and the document view."""
    return f"E{index + 1}"


def format_money(money: Money) -> str:
    """`1.5 billion USD`: the scale words a reader expects of funding news."""
    for scale, word in ((1e9, " billion"), (1e6, " million")):
        if money.value >= scale:
            return f"{money.value / scale:g}{word} {money.currency}"
    return f"{money.value:,.0f} {money.currency}"


def entity_button(ref: EntityRef) -> str:
    """An entity name the reader can click to filter the events table by it."""
    written = ", ".join(ref.mentions)
    return (
        f'<button type="button" class="entity-filter" data-entity="{escape(ref.name)}" '
        f'title="written: {escape(written)}">{escape(ref.name)}</button>'
    )


def argument_html(value: Any) -> str:
    """One argument value as escaped HTML; empty when absent."""
    if isinstance(value, list):
        return ", ".join(argument_html(item) for item in value)
    if isinstance(value, EntityRef):
        return entity_button(value)
    if isinstance(value, Money):
        return escape(format_money(value))
    return "" if value is None else escape(str(value))


def phrase_html(event: EventBase) -> str:
    """What happened, in one English line with the names as written in the KB."""
    sentence, optional = PHRASES[event.type]
    values = {role: argument_html(getattr(event.arguments, role)) for role in type(event.arguments).model_fields}
    text = sentence.format(**values)
    return text + "".join(clause.format(values[role]) for role, clause in optional if values[role])

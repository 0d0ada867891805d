"""A Shoji document as the parts of its page.

The page shows what the JSON says and nothing it does not: the element
type, ``self``, the description, the body (or a view's ``value``, an
order's ``graph``) as nested tables, every link member (``catalogs``,
``views``, ``urls``, ``fragments``, ``orders``) and every ``index`` entry as
a clickable link, and the JSON itself.  Which forms it offers is the
caller's business (:mod:`.pages`); the fields of an entity's edit form come
from here.
"""

import json
from dataclasses import dataclass

LINK_MEMBERS = ("catalogs", "views", "urls", "fragments", "orders")

#: Members shown in their own section; any other member is listed as is.
SHOWN = frozenset({"element", "self", "description", "body", "value", "graph", "index"})


@dataclass(frozen=True)
class Field:
    """One scalar body member in the edit form: ``kind`` says how the
    submitted text turns back into JSON (:func:`crunchusers.browser.forms.typed`)."""

    name: str
    kind: str  # "str", "int", "float", "bool" or "null"
    text: str  # the current value as the input shows it
    original: str  # the current value as JSON, to send only what changed


def field_of(name, value) -> Field | None:
    if isinstance(value, bool):
        return Field(name, "bool", "true" if value else "false", json.dumps(value))
    if isinstance(value, int | float):
        return Field(name, type(value).__name__, json.dumps(value), json.dumps(value))
    if isinstance(value, str):
        return Field(name, "str", value, json.dumps(value))
    if value is None:
        return Field(name, "null", "", "null")
    return None  # objects and lists are edited as JSON


def edit_fields(doc: dict) -> list[Field]:
    body = doc.get("body")
    if doc.get("element") != "shoji:entity" or not isinstance(body, dict):
        return []
    fields = (field_of(name, value) for name, value in body.items())
    return [f for f in fields if f is not None]


def links_of(doc: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """``[(member, [(name, url), ...]), ...]`` for the link members present."""
    groups = []
    for member in LINK_MEMBERS:
        mapping = doc.get(member)
        if isinstance(mapping, dict) and mapping:
            groups.append((member, sorted((str(k), v) for k, v in mapping.items())))
    return groups


def index_of(doc: dict) -> tuple[list[str], list[tuple[str, dict]]]:
    """The catalog's entries as ``(columns, [(url, tuple), ...])``, columns
    being every member any tuple has, in order of first appearance."""
    index = doc.get("index")
    if not isinstance(index, dict):
        return [], []
    columns = {}
    rows = []
    for url, entry in index.items():
        entry = entry if isinstance(entry, dict) else {"value": entry}
        columns.update(dict.fromkeys(entry))
        rows.append((url, entry))
    return list(columns), rows


def parts_of(doc: dict) -> dict:
    columns, rows = index_of(doc)
    return {
        "element": doc.get("element", "document"),
        "self_url": doc.get("self"),
        "description": doc.get("description"),
        "body": doc.get("body"),
        "value": doc.get("value"),
        "graph": doc.get("graph"),
        "has_index": "index" in doc,
        "columns": columns,
        "rows": rows,
        "links": links_of(doc),
        "others": {k: v for k, v in doc.items() if k not in SHOWN and k not in LINK_MEMBERS},
        "source": json.dumps(doc, indent=2, ensure_ascii=False),
    }

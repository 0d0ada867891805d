"""Size and character limits for everything a client may store.

One place says how long a name or a free text may be and how large a
free-form object may grow, so that no field is unbounded (a 200,000-character
team name, 11 MB of preferences) and no name carries control characters that
would break mail headers.  Request bodies are held to them by the schemas of
``views.bodies``; :func:`check_object_size` bounds what a merge stores.
"""

import json
import unicodedata

from .exceptions import Invalid

#: Names of users, accounts, teams, projects, datasets, API keys.
NAME_MAX = 255
#: Free text: descriptions, notes, addresses, share messages.
TEXT_MAX = 4096
#: One free-form JSON object (settings, a dataset's preferences for a user).
OBJECT_MAX_BYTES = 16 * 1024
#: All stored preferences of one user (profile preferences).
PREFERENCES_MAX_BYTES = 16 * 1024


def has_control_characters(value: str, *, allow_newlines: bool = False) -> bool:
    """True when ``value`` holds a control or format character (Unicode Cc/Cf);
    tabs and newlines are allowed only in multi-line free text."""
    allowed = "\t\n\r" if allow_newlines else ""
    return any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in allowed for ch in value)


def json_size(value) -> int:
    """Bytes of ``value`` as compact UTF-8 JSON: what a size limit counts."""
    return len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())


def check_object_size(value, field: str, max_bytes: int = OBJECT_MAX_BYTES):
    """A JSON-able value whose compact encoding is at most ``max_bytes``."""
    if json_size(value) > max_bytes:
        raise Invalid(field, f"{field} is larger than {max_bytes} bytes.")
    return value

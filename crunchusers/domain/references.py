"""Resolve the references clients put in bodies: user URLs and emails.

URLs may be absolute or relative; only their path matters, so a client
behind a proxy that rewrites the host still resolves.  Lookups go through
the container and the email index, never a scan.
"""

from urllib.parse import urlparse


def path_segments(ref: str) -> list[str]:
    return [s for s in urlparse(ref).path.split("/") if s]


def id_from_url(ref: str, collection: str) -> str | None:
    """The id in ``.../api/<collection>/<id>/``, or None if ``ref`` is not one."""
    segments = path_segments(ref)
    if len(segments) == 3 and segments[0] == "api" and segments[1] == collection:
        return segments[2]
    return None


def is_email(ref: str) -> bool:
    return "@" in ref and "/" not in ref


def resolve_user(api_root, ref):
    """The live (not deleted) user a URL or email names, or None."""
    if not isinstance(ref, str):
        return None
    if is_email(ref):
        user = api_root.users.find_by_email(ref)
    else:
        user_id = id_from_url(ref, "users")
        user = api_root.users.get(user_id) if user_id else None
    if user is None or user.status == "deleted":
        return None
    return user


def resolve_member(api_root, ref):
    """What a members/permissions catalog key names.

    Returns ``("user", user)``, ``("team", team)``, ``("email", address)`` for
    an address nobody uses yet, or ``None`` for anything unresolvable.
    """
    if not isinstance(ref, str):
        return None
    if is_email(ref):
        user = resolve_user(api_root, ref)
        return ("user", user) if user is not None else ("email", ref.strip())
    team_id = id_from_url(ref, "teams")
    if team_id is not None:
        team = api_root.teams.get(team_id)
        return ("team", team) if team is not None else None
    user = resolve_user(api_root, ref)
    return ("user", user) if user is not None else None

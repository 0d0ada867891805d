"""When a request's transaction commits (pyramid_tm's ``tm.commit_veto``).

As pyramid_tm's default: a 4xx or 5xx answer changes nothing.  The one
exception is bookkeeping that must outlive a refusal — a failed login's
counters, history and lockout — which the login marks with
:func:`keep_on_error` after making only those changes.  An exception that
an error view rendered still aborts.
"""

from pyramid_tm import default_commit_veto

#: A request attribute, so a retried attempt (a new request) starts unmarked.
KEEP = "crunchusers_commit_on_error"


def keep_on_error(request):
    """Commit this attempt's changes even though it answers an error."""
    setattr(request, KEEP, True)


def commit_veto(request, response) -> bool:
    """True (abort) as pyramid_tm's default would, unless the request kept
    its bookkeeping and no exception was rendered."""
    if getattr(request, KEEP, False) and getattr(request, "exc_info", None) is None:
        return False
    return default_commit_veto(request, response)

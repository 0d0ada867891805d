"""How many mails each address received this hour, to cap reset, invitation
and verification mails per address (``crunchusers.mail_budget_per_hour``).

Counters live in the ZODB, so the cap holds across processes.  Each clock
hour (of the injectable clock) has its own tree of counters keyed by the
SHA-256 of the casefolded address — no stranger's address is stored in
clear; creating an hour's tree drops the older ones, so nothing is kept
for long.  Concurrent requests for different addresses change different
keys, which the BTree merges; two for the same address conflict and one is
retried, so the cap is exact.
"""

from BTrees.IOBTree import IOBTree
from persistent import Persistent

from ...infra.btrees import WideOIBTree
from ...infra.tokens import hash_token
from .users import normalize_email

SECONDS_PER_HOUR = 3600


def hour_of(moment) -> int:
    """The clock hour ``moment`` falls in, as hours since the epoch."""
    return int(moment.timestamp() // SECONDS_PER_HOUR)


class MailBudget(Persistent):
    def __init__(self):
        self.hours = IOBTree()  # hour -> OIBTree(address digest -> mails sent)

    def spend(self, address: str, now, per_hour: int) -> bool:
        """Count one mail to ``address`` and say whether it may go: False
        once ``per_hour`` went this hour (``per_hour`` 0: no cap)."""
        if per_hour <= 0:
            return True
        hour = hour_of(now)
        counts = self.hours.get(hour)
        if counts is None:
            for old in list(self.hours.keys(max=hour, excludemax=True)):
                del self.hours[old]
            counts = self.hours[hour] = WideOIBTree()
        key = hash_token(normalize_email(address))
        sent = counts.get(key, 0)
        if sent >= per_hour:
            return False
        counts[key] = sent + 1
        return True

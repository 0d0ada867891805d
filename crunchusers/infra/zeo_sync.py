"""ZEO's ``server-sync``, made to keep its promise.

``server-sync true`` makes every transaction start with a round trip to the
ZEO server (a ``ping``), so that the invalidations of every commit another
client finished before it have arrived first: a user locked through one
process is refused by all at once.  ZEO 6.2's server (one asyncio loop for
every client) breaks that promise for a moment after each commit.  Its
``tpc_finish`` handler hands the other clients' invalidations to the loop
for later (``StorageServer.invalidate``, ``ZEO/StorageServer.py`` line 867:
``zs.async_threadsafe(...)``, that is ``loop.call_soon_threadsafe``,
``ZEO/asyncio/server.py`` lines 93-95 and 158-159, even on the loop's own
thread), then answers the committer at once (``return Result(...)``,
``StorageServer.py`` line 368, sent by ``Result.set_sender``,
``server.py`` lines 215-218).  A client whose socket the loop found
readable in the same turn is read after the commit's handler but before
the queued invalidations run, and what it has sent by then — a ping made
after the committer already had its answer — is answered first.  Its new
transaction then reads the state from before the commit (seen in the
server's trace; ``tests/storage/test_zeo_sync.py`` makes it happen every
time).

:class:`ServerSyncedClientStorage` syncs on the server's last transaction
instead: it asks for the id of the last commit (``lastTransaction``, one
round trip like the ping, and answered after the storage recorded every
commit acknowledged so far), and while its own view is older, pings again:
a later request is answered after the invalidations the server had already
queued, which arrive first on the one connection.  One extra ping always
sufficed in our runs.
"""

from ZEO.ClientStorage import ClientStorage
from ZEO.Exceptions import ClientDisconnected
from ZODB.utils import z64

#: Round trips a sync may wait for invalidations already committed on the
#: server (one is enough: they go out at the server's next loop turn).
SYNC_ROUNDS = 100


class ServerSyncedClientStorage(ClientStorage):
    """A ClientStorage whose ``server_sync`` waits until it has the
    invalidations of every transaction the server has committed."""

    def notify_connected(self, conn, info):
        super().notify_connected(conn, info)  # sets self.sync to a ping
        if self.server_sync:
            self.sync = self.sync_with_server

    def sync_with_server(self):
        committed = self._call("lastTransaction") or z64
        for _ in range(SYNC_ROUNDS):
            if (self.lastTransaction() or z64) >= committed:
                return
            self._call("ping")
        raise ClientDisconnected(
            f"no invalidations up to the server's last transaction after {SYNC_ROUNDS} pings"
        )


def sound_server_sync(storage):
    """``storage``, a :class:`ServerSyncedClientStorage` when it is a ZEO
    client with ``server_sync`` (call before a ``DB`` is made on it: its
    connections take the storage's ``sync`` when they are made)."""
    if type(storage) is ClientStorage and storage.server_sync:
        storage.__class__ = ServerSyncedClientStorage
        storage.sync = storage.sync_with_server  # it connected already (wait=True)
    return storage

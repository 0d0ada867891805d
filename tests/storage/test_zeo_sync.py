"""A transaction begun after another ZEO client's commit returned sees that
commit, even though ZEO's server sends the commit's invalidations after it
has answered the committer (``crunchusers.infra.zeo_sync``).

The real window is the rest of one turn of the server's event loop: a ping
read in that turn is answered before the invalidations go out (the cause of
the once-in-hundreds failure of ``test_multiprocess``'s locked-user test on
ZEO).  Here the server, a real ZEO server in a thread of this process, holds
each client's invalidations until that client's *next* request, so the
window is hit every time: ZEO's plain ping-sync fails this test always.
"""

import pytest
import transaction
from ZEO import server as zeo_server
from ZEO.asyncio.server import ServerProtocol
from ZEO.StorageServer import StorageServer

from crunchusers.infra.storage import open_db

from .conftest import ZEO_CLIENT_CONF

pytestmark = pytest.mark.storage


@pytest.fixture
def late_invalidations(monkeypatch):
    """The server sends a client the invalidations of another client's
    commit only when it receives that client's next request after the
    first one following the commit."""
    held, due = {}, {}

    def invalidate(self, zeo_storage, storage_id, tid, oids):
        for zs in self.zeo_storages_by_storage_id[storage_id]:
            if zs is not zeo_storage:
                held.setdefault(zs.connection, []).append((tid, oids))

    answer = ServerProtocol.message_received

    def message_received(self, message):
        for args in due.pop(self, []):
            self.call_async("invalidateTransaction", args)
        answer(self, message)
        due.setdefault(self, []).extend(held.pop(self, []))

    monkeypatch.setattr(StorageServer, "invalidate", invalidate)
    monkeypatch.setattr(ServerProtocol, "message_received", message_received)


@pytest.fixture
def zeo_uri(tmp_path, monkeypatch, late_invalidations):
    address, stop = zeo_server(path=str(tmp_path / "Data.fs"))
    monkeypatch.setenv("CRUNCHUSERS_ZEO_SERVER", f"{address[0]}:{address[1]}")
    yield f"zconfig://{ZEO_CLIENT_CONF}"
    stop()


def test_the_next_transaction_sees_another_clients_commit(zeo_uri):
    db_a, db_b = open_db(zeo_uri, "", {}), open_db(zeo_uri, "", {})
    tm_a = transaction.TransactionManager(explicit=True)
    tm_b = transaction.TransactionManager(explicit=True)
    conn_a, conn_b = db_a.open(tm_a), db_b.open(tm_b)
    try:
        with tm_a:
            conn_a.root()["status"] = "active"
        with tm_b:
            assert conn_b.root().get("status") == "active"
        with tm_a:
            conn_a.root()["status"] = "locked"
        with tm_b:
            assert conn_b.root()["status"] == "locked"
    finally:
        conn_a.close()
        conn_b.close()
        db_a.close()
        db_b.close()

"""Where the read cache is on: storages whose last transaction this process
knows without asking (``views.read_cache.is_local``), never over RelStorage
or ZEO, whose other processes' commits would not be seen at once."""

from ZODB.blob import BlobStorage
from ZODB.DemoStorage import DemoStorage
from ZODB.FileStorage import FileStorage
from ZODB.MappingStorage import MappingStorage

from crunchusers.views.read_cache import cache_of, is_local
from tests.conftest import TEST_STORAGE


def test_on_for_this_runs_storage_exactly_when_it_is_local(app):
    assert (cache_of(app.registry, 1 << 20) is None) == (TEST_STORAGE == "relstorage")


def test_local_storages(tmp_path):
    file_storage = FileStorage(str(tmp_path / "Data.fs"))
    blobs = BlobStorage(str(tmp_path / "blobs"), FileStorage(str(tmp_path / "Blobs.fs")))
    try:
        for storage in (file_storage, MappingStorage(), DemoStorage(), blobs):
            assert is_local(storage), storage
        assert not is_local(object())
    finally:
        file_storage.close()
        blobs.close()

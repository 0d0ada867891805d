"""Storage and operations tests: real server processes (gunicorn, runzeo)
over FileStorage, ZEO and RelStorage/PostgreSQL, driven through real HTTP.
Each is marked ``storage`` (``-m "not storage"`` leaves them out locally)."""

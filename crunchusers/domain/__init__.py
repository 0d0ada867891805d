"""The domain: persistent resources and the operations and rules on them.

Nothing here knows about HTTP: failures are :mod:`.exceptions`, which the
HTTP layer (:mod:`crunchusers.views.errors`) renders and the CLI reports.
"""

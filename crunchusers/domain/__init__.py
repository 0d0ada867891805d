"""The domain: persistent resources and the operations and rules on them.

``kinds`` is the registry every resource class declares itself in;
``resources/`` the persistent classes; ``users`` makes people (accounts and
their users), ``collaboration`` what they share (teams, projects,
datasets), ``user_changes`` who may change which user field, ``ownership``
hand-overs and expropriation, ``sharing`` the sharing limits, ``removal``
removing a user, ``invitations`` and ``notifications`` the mail they cause,
``credentials`` passwords and sessions, ``email_address`` verifying and
changing a user's address, ``references`` and ``bounds`` reading and
bounding client input.

Nothing here knows about HTTP: failures are :mod:`.exceptions`, which the
HTTP layer (:mod:`crunchusers.views.errors`) renders and the CLI reports.
"""

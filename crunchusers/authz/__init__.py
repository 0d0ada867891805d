"""Who may do what: the one place to read for any permission question.

``permissions`` (the Permission enum), ``principals`` (who a user acts as;
``principal(kind, id)`` is the one ``user:``/``team:`` key), ``acl`` (ACLs
derived from data), ``grants`` (who reaches which team, project and dataset,
with which flags), ``rules`` (pure predicates such as "is an account admin"),
``roles`` (account roles), ``policy`` (the SecurityPolicy), ``verification``
(what a user who must verify their email may do) and ``login`` (login
sessions and their cookie).  Naming: ``*_flags`` are dicts of booleans, ``*_permissions``
Permission sets.
"""

"""Who may do what: the one place to read for any permission question.

``policy`` (the Permission enum, principals and the SecurityPolicy),
``acl`` (ACLs derived from data), ``grants`` (who reaches which team,
project and dataset, with which flags), ``rules`` (pure predicates such as
"is an account admin"), ``roles`` (account roles) and ``login`` (sessions).
Naming: ``*_flags`` are dicts of booleans, ``*_permissions`` Permission sets.
"""

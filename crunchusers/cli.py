"""The ``crunchusers`` command: account and user chores from the shell.

    crunchusers INI create-account --name NAME --owner-email EMAIL [--owner-name N] [--password]
    crunchusers INI show-user EMAIL
    crunchusers INI configure-user EMAIL [--name N] [--status S] [--roles r1,r2]
    crunchusers INI passwd EMAIL
    crunchusers INI reset-second-factor EMAIL
    crunchusers INI list-users ACCOUNT          (account id or exact name)
    crunchusers INI purge-sessions
    crunchusers INI upgrade [--dry-run]         (pending schema upgrade steps)

It opens the same database as the server (RelStorage and ZEO allow both at
once; a FileStorage is locked by a running server) and applies the same
rules and side effects as the API: passwords go through the account's
password policy (``passwd`` then ends the user's sessions and API tokens and
mails them), status and role changes mail the user, a second factor's reset
mails them as an admin's does, invitations mail a link
(``create-account --password``: a link verifying the address).  Errors print a
message and exit with status 1.  ``upgrade`` opens only the database, not
the app (whose start-up would run the upgrade itself).
"""

import argparse
import getpass
import json
import logging
import sys

import transaction
from pyramid.paster import get_app, get_appsettings, setup_logging

from .authz.roles import account_permissions_for
from .domain import second_factor
from .domain.credentials import new_user_password_hash, set_password
from .domain.email_address import welcome_mail
from .domain.exceptions import DomainError
from .domain.federation import refuse_password
from .domain.notifications import Links, Notifier
from .domain.password_policy import personal_words
from .domain.resources.users import STATUSES, DuplicateLogin
from .domain.sign_ins import last_login
from .domain.user_changes import UserChange
from .domain.users import create_account
from .infra import generations
from .infra.clock import get_clock, isoformat
from .infra.mail import DeliveryFailed, stop_delivery
from .infra.outbox import Postbox
from .infra.settings import get_config
from .infra.storage import ROOT_KEY, get_db, in_transaction, open_db, upgrade_database
from .views.bodies import NewAccount
from .views.schemas import validate


class CommandError(Exception):
    """A problem to report to the operator, not a crash."""


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="crunchusers", description=__doc__.split("\n\n")[0])
    top.add_argument("config", help="the ini file the server runs with")
    commands = top.add_subparsers(dest="command", required=True)

    create = commands.add_parser("create-account", help="create an account and its owner")
    create.add_argument("--name", required=True)
    create.add_argument("--owner-email", required=True)
    create.add_argument("--owner-name", default="")
    create.add_argument(
        "--url-base", help="template of the link mailed to the owner, containing ${token}"
    )
    create.add_argument(
        "--password",
        action="store_true",
        help="prompt for the owner's password (a link to verify the address is mailed "
        "instead of an invitation)",
    )

    show = commands.add_parser("show-user", help="print a user as JSON")
    show.add_argument("email")

    configure = commands.add_parser("configure-user", help="change name, status or roles")
    configure.add_argument("email")
    configure.add_argument("--name")
    configure.add_argument("--status", choices=STATUSES)
    configure.add_argument("--roles", help="comma-separated role ids")

    passwd = commands.add_parser("passwd", help="set a user's password (prompted)")
    passwd.add_argument("email")

    reset = commands.add_parser(
        "reset-second-factor",
        help="remove a user's second factors (a lost phone, and no admin to reset it)",
    )
    reset.add_argument("email")

    listing = commands.add_parser("list-users", help="list an account's users")
    listing.add_argument("account", help="account id or exact name")

    commands.add_parser("purge-sessions", help="remove expired and idle sessions and keys")

    upgrade = commands.add_parser("upgrade", help="run the pending schema upgrade steps")
    upgrade.add_argument(
        "--dry-run", action="store_true", help="list the steps it would run; change nothing"
    )
    return top


class CommandTransaction:
    """One transaction against the app's database, with a Notifier bound to it.

    Mail goes into the outbox with the transaction, and is sent before the
    command exits; if the mail server fails it stays queued for the server.
    """

    def __init__(self, app):
        self.registry = app.registry
        self.manager = transaction.TransactionManager(explicit=True)
        self.conn = get_db(self.registry).open(transaction_manager=self.manager)
        postbox = Postbox(self.conn.root(), self.manager, get_clock(self.registry).now)
        links = Links(get_config(self.registry))
        self.notifier = Notifier(self.registry, postbox, links)

    def run(self, action, args, out):
        worker = self.registry.crunchusers_delivery
        stop_delivery(self.registry)  # this command sends its own mail, below
        try:
            with self.manager:
                result = action(self, self.conn.root()[ROOT_KEY], args, out)
            try:
                worker.deliver_pending()
            except DeliveryFailed as exc:
                print(f"warning: mail stays queued for the server: {exc}", file=sys.stderr)
            return result
        finally:
            self.conn.close()
            get_db(self.registry).close()  # release the FileStorage lock

    def now(self):
        return get_clock(self.registry).now()


def find_user(api_root, email):
    user = api_root.users.find_by_email(email)
    if user is None:
        raise CommandError(f"No user with email {email}.")
    return user


def prompt_password() -> str:
    password = getpass.getpass("New password: ")
    if getpass.getpass("Repeat it: ") != password:
        raise CommandError("The passwords do not match.")
    return password


def do_create_account(command, api_root, args, out):
    owner = {"email": args.owner_email, "name": args.owner_name}
    try:  # the same limits as POST /api/accounts/ (no CR/LF in mail headers)
        validate(NewAccount(), {"name": args.name, "owner": owner})
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    password_hash = new_user_password_hash(
        command.registry,
        None,
        prompt_password() if args.password else None,
        field="password",
        personal=personal_words(args.owner_email, args.owner_name),
    )
    try:
        account, owner = create_account(
            api_root,
            name=args.name,
            owner_email=args.owner_email,
            owner_name=args.owner_name,
            now=command.now(),
            password_hash=password_hash,
        )
    except DuplicateLogin as exc:
        raise CommandError(f"The email {args.owner_email} is already in use.") from exc
    welcome_mail(api_root, owner, account, command.notifier, url_base=args.url_base)
    if password_hash:
        print(
            f"account {account.__name__} created; owner {owner.__name__} active "
            "(mailed a link to verify the address)",
            file=out,
        )
        return
    print(f"account {account.__name__} created; owner {owner.__name__} invited", file=out)


def user_summary(api_root, user) -> dict:
    account = api_root.accounts.get(user.account_id) if user.account_id else None
    return {
        "id": user.__name__,
        "email": user.email,
        "username": user.username,
        "name": user.name,
        "status": user.status,
        "email_verified": user.email_verified,
        "roles": list(user.roles),
        "account_permissions": account_permissions_for(user),
        "account": account.name if account else None,
        "created": isoformat(user.created),
        "last_login": isoformat(last_login(api_root, user)),
        "preferences": dict(user.preferences),
        "second_factor": second_factor.state(user, account),
    }


def do_show_user(command, api_root, args, out):
    user = find_user(api_root, args.email)
    print(json.dumps(user_summary(api_root, user), indent=2), file=out)


def do_configure_user(command, api_root, args, out):
    user = find_user(api_root, args.email)
    changes = {}
    if args.name is not None:
        changes["name"] = args.name
    if args.status is not None:
        changes["status"] = args.status
    if args.roles is not None:
        changes["roles"] = [r.strip() for r in args.roles.split(",") if r.strip()]
    if not changes:
        raise CommandError("Nothing to change: give --name, --status or --roles.")
    try:
        UserChange(api_root, None, user, command.notifier).apply(changes)
    except DomainError as exc:
        raise CommandError(exc.message) from exc
    print(json.dumps(user_summary(api_root, user), indent=2), file=out)


def do_passwd(command, api_root, args, out):
    """The operator sets a password: the same policy, history, ended
    sessions and API tokens, killed links and mail as any other door."""
    user = find_user(api_root, args.email)
    refuse_password(user)  # an oauth user has no password (main reports the 409)
    password = prompt_password()
    set_password(
        command.registry, api_root, user, password, field="password", notifier=command.notifier
    )
    print(f"password changed for {user.email}", file=out)


def do_reset_second_factor(command, api_root, args, out):
    """The operator's reset of a user's second factors, for when no admin
    of the account can (the owner's own phone is lost, say): what
    ``DELETE /api/users/{id}/second_factor/`` does, mail to the user
    included."""
    user = find_user(api_root, args.email)
    if second_factor.factor_of(user) is None:
        print(f"{user.email} has no second factor; nothing changed", file=out)
        return
    second_factor.reset(user)
    command.notifier.second_factor_reset(user)
    print(f"second factor reset for {user.email} (mailed)", file=out)


def do_list_users(command, api_root, args, out):
    account = api_root.accounts.get(args.account)
    if account is None:
        matches = [a for a in api_root.accounts.values() if a.name == args.account]
        if len(matches) != 1:
            raise CommandError(f"No single account with id or name {args.account!r}.")
        account = matches[0]
    for user_id in account.user_ids:
        user = api_root.users[user_id]
        print(
            f"{user.__name__}\t{user.status}\t{','.join(user.roles)}\t{user.email or ''}\t"
            f"{user.name}",
            file=out,
        )


def do_purge_sessions(command, api_root, args, out):
    """Remove every ended credential (logins also purge a few each)."""
    idle = get_config(command.registry).session_idle
    count = api_root.credentials.purge(api_root.users, command.now(), idle)
    print(f"purged {count} ended sessions and API keys", file=out)


ACTIONS = {
    "create-account": do_create_account,
    "show-user": do_show_user,
    "configure-user": do_configure_user,
    "passwd": do_passwd,
    "reset-second-factor": do_reset_second_factor,
    "list-users": do_list_users,
    "purge-sessions": do_purge_sessions,
}


def upgrade(args, out):
    """Run (or with ``--dry-run`` list) the pending upgrade steps on the
    database of ``args.config``, then say its generation."""
    db = open_db(get_appsettings(args.config)["zodbconn.uri"], "", {})
    try:
        upgrade_database(db, dry_run=args.dry_run, out=out)
        stored = in_transaction(db, lambda conn: generations.stored_generation(conn.root()))
    finally:
        db.close()
    if stored is None:
        print(
            f"new database: the server creates it at generation {generations.GENERATION}", file=out
        )
    else:
        change = "; nothing changed" if args.dry_run else ""
        print(f"database at generation {stored}{change}", file=out)


def main(argv=None, out=None) -> int:
    out = out or sys.stdout
    args = parser().parse_args(argv)
    setup_logging(args.config)
    logging.getLogger("crunchusers.startup").setLevel(logging.WARNING)  # no server banner
    if args.command == "upgrade":
        upgrade(args, out)
        return 0
    try:
        command = CommandTransaction(get_app(args.config))
        command.run(ACTIONS[args.command], args, out)
    except CommandError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except DomainError as exc:  # a rule of the API, e.g. a refused --url-base
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

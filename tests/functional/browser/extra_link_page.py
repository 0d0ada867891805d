"""A test-only link purpose, registered as a new kind of mailed link would
be (email verification, say): one path, one page, no password, no sign-in.
Included through ``pyramid.includes``."""

from crunchusers.browser.links import LinkPage, add_link_page, add_link_path

PURPOSE = "verify_email"


def verify(request, token, form):
    from crunchusers.domain.exceptions import Invalid
    from crunchusers.infra.clock import get_clock

    api_root = request.api_root
    user_id = api_root.link_tokens.redeem(token, (PURPOSE,), get_clock(request.registry).now())
    if user_id is None:
        raise Invalid("token", "This link is invalid or has expired.")
    user = api_root.users[user_id]
    user.email_verified = True
    return user


def holder(api_root, token, now):
    user_id = api_root.link_tokens.peek(token, (PURPOSE,), now)
    return api_root.users.get(user_id) if user_id else None


PAGE = LinkPage(
    PURPOSE,
    "Verify your email",
    "Confirm that this address is yours.",
    "Verify",
    complete=verify,
    holder=holder,
    signs_in=False,
    done="Your email address is verified.",
)


def includeme(config):
    add_link_path(config, "verify_email_link", "/email/verify/{token}/")
    add_link_page(config, PAGE)

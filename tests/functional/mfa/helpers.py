"""Requests of the second-factor tests; what a test checks stays in it."""

import pyotp

from tests.factories import PASSWORD

#: The body proving the caller again (``views.reauth``).
REAUTH = {"password": PASSWORD}


def factor_url(scene, who) -> str:
    return scene.url(who) + "second_factor/"


def factor_state(testapp, scene, who, target=None, status=200):
    """``GET`` ``target``'s (else ``who``'s own) second factor as ``who``."""
    url = factor_url(scene, target or who)
    return testapp.get(url, headers=scene.headers(who), status=status)


def enrol(testapp, scene, who) -> str:
    """Start an authenticator app enrolment as ``who``; the secret."""
    url = factor_url(scene, who) + "totp/"
    return testapp.post_json(url, REAUTH, headers=scene.headers(who), status=200).json["secret"]


def confirm(testapp, scene, who, code, status=200):
    url = factor_url(scene, who) + "totp/confirm/"
    return testapp.post_json(url, {"code": code}, headers=scene.headers(who), status=status)


def totp_code(secret, clock) -> str:
    """What the authenticator app shows at the app's clock time."""
    return pyotp.TOTP(secret).at(clock.now())


def with_totp(testapp, scene, who, clock) -> tuple[str, list[str]]:
    """Enrol and confirm an app for ``who``: its secret, the recovery codes."""
    secret = enrol(testapp, scene, who)
    codes = confirm(testapp, scene, who, totp_code(secret, clock)).json["recovery_codes"]
    return secret, codes

"""Settings of the sign-in defences (``crunchusers.login.*``, ``crunchusers.hashing.*``).

The lockout threshold is not here: it is an account setting
(``Account.lockout_threshold``, ``domain.sign_ins``).
"""

from dataclasses import dataclass, field
from datetime import timedelta

from pyramid.exceptions import ConfigurationError

from .hashing import default_slots


@dataclass(frozen=True)
class LoginSettings:
    """Throttles, bounded records and hashing capacity, with their defaults.

    * ``failures_per_address`` / ``failures_per_ip``: failed logins one login
      name / one client address may have in a throttle window before every
      login from it answers 429 until the window ends (10 and 100);
    * ``throttle_window``: the window, fixed clock intervals (900 s);
    * ``history_size``: login attempts kept per user (100);
    * ``activity_size``: tracked requests kept per user (1000);
    * ``hash_slots``, ``hash_waiting``, ``hash_wait_seconds``: hashes at
      once (cores / argon2 parallelism, at least 1: each hash already runs
      that many threads), hashes queued behind them (8), and how long one
      may wait (2 s) before a 503 (``infra.hashing``);
    * ``refusal_delay_seconds``, ``delayed_refusals``: how long a refused
      login's answer waits (1 s) and how many may wait at once (8)
      (``views.pacing``).

    A login holds a server thread while it waits for or runs a hash, or
    while its refusal waits: give waitress more threads than
    ``hash_slots + hash_waiting + delayed_refusals`` (the shipped ini files
    have 24) so that other requests always find one.
    """

    failures_per_address: int = 10
    failures_per_ip: int = 100
    throttle_window: timedelta = timedelta(seconds=900)
    history_size: int = 100
    activity_size: int = 1000
    hash_slots: int = field(default_factory=default_slots)
    hash_waiting: int = 8
    hash_wait_seconds: float = 2.0
    refusal_delay_seconds: float = 1.0
    delayed_refusals: int = 8

    @classmethod
    def from_settings(cls, get, lanes: int = 1) -> "LoginSettings":
        """From ``get(name, default)`` over ``crunchusers.*`` settings;
        ``lanes`` is argon2's parallelism (for the default ``hash_slots``)."""
        defaults = cls(hash_slots=default_slots(lanes))

        def number(name, default, minimum, kind=int):
            value = kind(get(name, default))
            if value < minimum:
                raise ConfigurationError(f"crunchusers.{name} must be at least {minimum}.")
            return value

        window = number("login.throttle_window_seconds", 900, 1)
        return cls(
            failures_per_address=number(
                "login.failures_per_address", defaults.failures_per_address, 1
            ),
            failures_per_ip=number("login.failures_per_ip", defaults.failures_per_ip, 1),
            throttle_window=timedelta(seconds=window),
            history_size=number("login.history_size", defaults.history_size, 1),
            activity_size=number("login.activity_size", defaults.activity_size, 1),
            hash_slots=number("hashing.slots", defaults.hash_slots, 1),
            hash_waiting=number("hashing.waiting", defaults.hash_waiting, 0),
            hash_wait_seconds=number("hashing.wait_seconds", defaults.hash_wait_seconds, 0, float),
            refusal_delay_seconds=number(
                "login.refusal_delay_seconds", defaults.refusal_delay_seconds, 0, float
            ),
            delayed_refusals=number("login.delayed_refusals", defaults.delayed_refusals, 0),
        )

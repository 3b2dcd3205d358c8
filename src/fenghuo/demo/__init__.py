"""The demo world: a believable Chapter V organisation tree with people in every role.

``seed(session, actor)`` builds it through the accounts flows, so every organisation and
account it creates is authorised and audited like any other. It runs once: when the
national coordinator already exists it changes nothing and returns the demo logins that
exist. ``LOGINS`` lists the accounts (all share ``DEMO_PASSWORD``); browser tests and the
README rely on these exact usernames.
"""

from fenghuo.demo.seed import DEMO_PASSWORD, LOGINS, DemoLogin, existing_logins, is_seeded, seed

__all__ = ["DEMO_PASSWORD", "LOGINS", "DemoLogin", "existing_logins", "is_seeded", "seed"]

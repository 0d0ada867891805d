"""Infrastructure: settings, clock, tokens, passwords, link origins, the mail
outbox and its delivery worker, and storage (database bootstrap, root factory)."""

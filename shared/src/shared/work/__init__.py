"""Durable background work: one queue mechanism, one periodic-task helper, one wake-up.

- ``jobs``: the columns of a job table and the five roles a job's state can play.
- ``queue``: claiming due jobs with a lease token, recording outcomes guarded by it.
- ``runner``: claim in one short transaction, work with none open, record the outcome
  (a round a few at a time, the outcomes ready recorded together; a remote's pause).
- ``periodic``: a loop that runs a coroutine every so often (jitter, wake, survives failures).
- ``notify``: PostgreSQL LISTEN/NOTIFY, so waiting workers and streams wake at once.
- ``outbox``: rows POSTed to another service until it acknowledges (grant events, change
  notices): their columns, their queue, their delivery.

docs/architecture.md ("Background work") says why it is built this way.
"""

"""gunicorn's settings for the console; gunicorn reads this file from the working directory.

``gthread`` rather than the default ``sync`` worker: ``sync`` closes the connection after every
response, so a sending system that asks about one address per message pays a TCP handshake each
time (the single check costs twice as much). ``gthread`` keeps connections alive and serves a
few requests at once per worker. Each thread keeps its own database connection (CONN_MAX_AGE),
so PostgreSQL sees up to workers times threads connections from the web.
"""

worker_class = "gthread"
threads = 4
keepalive = 15  # seconds an idle kept-alive connection waits for the next request

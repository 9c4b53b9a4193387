"""Jointly from the outside: server processes and socket clients, for ``tests/`` and ``bench/``.

``server``: a demo instance seeded by the ``flask`` commands and served on a free loopback
port. ``client``: signing in through ``/login`` and a Socket.IO client of ``/collab`` that
speaks y-protocols frames, as any Yjs client would. The benchmark imports this package too,
so it may import ``crdt`` and client libraries but never ``pytest`` nor ``wiki``: it raises
its own errors and reaches the server only as a browser would.
"""

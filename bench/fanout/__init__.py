"""Fan-out benchmark: N people type in D documents; how soon each keystroke reaches the others.

For each transport and N, N clients join one fresh document and each types one character every
200 ms (staggered, so keystrokes do not arrive in bursts); one more client only watches, so each
keystroke has N receivers even when N is 1. With ``--docs D``, the N typists are dealt evenly
over D fresh documents, each with its own watcher, so each keystroke has N/D receivers (the
issue's second case, 20 documents of 5 typists, is ``--clients 100 --docs 20``). A keystroke
is a real Yjs update made by the repository's engine under the client id the server assigned;
receivers read the (client, clock) ranges in each update frame they get. Latency is keystroke to
frame arrival at each other client of its document (every process reads the same
CLOCK_MONOTONIC). Receivers do not apply what they get; at the end each watcher fetches its
whole document and the run checks that every keystroke typed in it is there.

Transports: ``websocket`` and ``polling`` are Jointly's ``/collab`` Socket.IO namespace (a demo
instance, ``flask --app wiki serve`` restarted for every run). Like the browser's provider, a
Jointly client keeps one update frame in flight and sends keystrokes typed meanwhile as one
merged frame when the ack arrives. ``yws`` is the y-websocket server (bench/yws_server.mjs:
Node, in memory, no storage, no access checks), sent every keystroke at once over plain
WebSocket, as its own provider does; ``yws-durable`` is the same server made durable, the fair
peer: each update appended to a file and fdatasync'd, once per event-loop turn, before
anything of that turn is sent. Jointly stores each update durably before it acknowledges and
broadcasts it. ``ack99`` is frame to stored ack for Jointly, frame to echo for y-websocket (it
sends each update back to its sender as well). The typists sign in as three people, so the
server runs with a per-person edit limit above what seventeen tabs of one person type.

Clients run in a few processes (``--procs``). python-socketio's threaded client starts a thread
per received message; here clients dispatch in their read thread, as a browser does
(``--stock-client`` measures the stock way). Jointly's clients run in node by default, with
socket.io-client and Yjs as the editor runs them (``node``, ``clients.mjs``); ``--client
python`` runs them on python-socketio, which spends far more of the shared processor per
message: over long-polling, where every answer is an HTTP request, fifty of them held more than
one of the two cores, so the run measured them. Like browsers, the node clients offer WebSocket
compression and keep HTTP connections alive. The client processes share the machine's cores with
the server under test, so they run at lower priority (``--client-nice``, default 10: each calls
``os.nice`` before it connects); every server, Jointly and both y-websocket peers, keeps normal
priority, so the comparison stays fair. On two cores, clients at equal priority added about 40%
to Jointly's p99; ``--client-nice 0`` gives that old behaviour. The table shows the CPU the
server and the clients used and how busy the whole machine was, so a run starved by other
processes says so.

Servers (``--server``): ``default`` is ``make run``'s (``flask serve``: gunicorn with one gevent
worker); ``threading`` is the older single process (``WIKI_SERVER=threading``); ``gevent`` is
one process of the cluster deployment (gunicorn with deploy/gunicorn.conf.py), on the same
SQLite database and without Redis. The Jointly server and its ``/collab`` client are the tests'
own (``tests/harness``).

Modules: ``clients`` (the two kinds of client and what they receive), ``workers`` (a client
process: typing and receiving), ``case`` (one transport with one N: seats, processes, CPU,
matching receipts to keystrokes), ``node`` (a client process in node), ``servers``,
``report`` (the table and the verdicts), ``__main__``.

Run: ``.venv/bin/python -m bench.fanout --clients 1,10,50 --docs 1 --seconds 60 \
--transports websocket,polling,yws,yws-durable --client node --client-nice 10`` from the
repository's root (y-websocket comes from ``npm ci``); ``--clients 100 --docs 20`` for the
multi-document case.
"""

"""Notifications: what is worth telling whom, the inbox, watched documents and mail.

Owns recording (``events``, cheap, in the request's transaction), watching and the grouping
of edits (``watching``), each person's choices and unsubscribe tokens (``preferences``),
the inbox (``inbox``), the mail queue, digests and SMTP (``queue``, ``mail``), and its
pages and CLI. Every inbox and every mail asks the one policy again when it is built.
Nothing here sends mail inside a request: ``flask notify send`` drains the queue.
"""

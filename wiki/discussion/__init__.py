"""Comments and suggestions anchored to the text: the service, the JSON API and the pages.

`service` anchors, replies, resolves and accepts; `shapes` is the JSON every exit shows
(the API, the ``comment`` socket event); `api` and `pages` are the exits, one for scripts
and the live editor, one for people with or without JavaScript. Every one asks the access
policy through `wiki.access.gate`.
"""

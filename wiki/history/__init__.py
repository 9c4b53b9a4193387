"""Revisions, diffs, restores and attribution; the JSON API and the downloads built on them.

`service` computes from the rooms' history; `views`, `api` and `exports` are the pages,
JSON and files. Views import services and `access`; never another package's views.
"""

"""Revisions, diffs, restores and attribution; the JSON API and the downloads built on them.

`service` computes from the rooms' history, and `authorship` puts who moved, restored and
removed text into names; `views`, `api` and `exports` are the pages, JSON and files. Views
import services and `access`; never another package's views.
"""

"""Documents: creating, reading and editing them, their text through the rooms, and sharing.

`service` owns document rows and shares, `content` a document's text (every write is a
Yjs update through its room), `views` and `sharing_views` the pages. Views import
services and `access`; never another package's views.
"""

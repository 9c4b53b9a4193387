"""Publishing: a document or a whole plan as one file (HTML, DOCX, ODT, PDF), with its
provenance and, for restricted parts, the recipient on every page. Markdown becomes export
blocks (``model``), which each writer turns into real headings, lists, tables and links."""

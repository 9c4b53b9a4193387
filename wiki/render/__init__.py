"""Markdown to safe HTML (`markdown`), and the per-process cache of rendered pages (`cache`).

The only package that imports the sanitiser.
"""

"""Organisations and people: the directory service, signing in and out, and administration.

Views here import the directory service and `access`; never another package's views.
"""

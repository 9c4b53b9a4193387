"""Where everything is kept: the models, the database engines, the SQL update store, migrations.

Imports nothing else of `wiki` but the extension objects; everything else imports it.
"""

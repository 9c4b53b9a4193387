"""Full-text search: the index that follows the update log, and the search page.

Every hit goes through the access policy before it is shown or counted.
"""

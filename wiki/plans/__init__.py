"""Plans: their phases and commitment template, the commitment register, the leads' consent
to late commitments, and sign-off bound to a revision. Pages and the JSON API live here;
who may do what is still asked of ``wiki.access.policy``."""

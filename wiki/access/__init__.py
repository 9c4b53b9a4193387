"""Who may do what: the one policy, the gate every view passes, login sessions, the audit log.

Owns `policy` (the only module that knows a permission rule), `gate` (the policy's answer
as a 404, and readings audited), `sessions` and `audit`. May import `storage` and the
document and history services the gate needs; never a blueprint's views.
"""

"""Organisations (a tree), people, roles, console sessions and API tokens.

Organisations form a tree under the national coordinator: sector protection departments
(Art. 52), provincial-level departments (Art. 54), the State Council office (Art. 58),
professional institutions (Art. 54(2)) and network operators, some of them critical
information infrastructure (Art. 55). Every user belongs to one organisation and holds
roles; what those roles allow is decided by ``fenghuo.authority``.
"""

"""The REST API under ``/api/v1``: thin routes that parse, call a flow and render.

Errors are RFC 9457 ``application/problem+json`` naming the field and the rule.
"""

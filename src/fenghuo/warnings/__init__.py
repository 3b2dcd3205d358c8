"""Early warnings (预警, CSL Arts. 51, 54, 55): graded, authorised, signed, published.

A warning has a colour (red, orange, yellow, blue: REFERENCE §1.4), a scope (sectors and
GB/T 2260 regions), bilingual texts and an audience (departments only, or the public).
Lifecycle: draft → submitted → approved → published → adjusted (a new version, still in
force) → lifted; cancelled if issued in error. Who may issue which colour for which scope is
the active plan's ``warning_issuers`` data. Publishing, adjusting, lifting and cancelling a
published warning emit signed CAP 1.2 messages (Alert, Update, Cancel) and notify every
organisation in scope; public, non-exercise warnings appear on the Atom feed and as JSON.
"""

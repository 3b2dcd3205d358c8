"""The audit trail: an append-only, hash-chained record of every state change.

Each record is written in the transaction of the change it describes, carries a digest
of the target before and after, the legal basis, the previous record's hash and its own
SHA-256 hash. ``verify`` walks the chain and names the first record that does not fit.
"""

"""Monitoring: event sources, ingest, normalisation into one schema, and the event archive."""

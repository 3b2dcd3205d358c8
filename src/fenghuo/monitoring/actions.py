"""Authority actions of event sources and ingest."""

from fenghuo.authority import Action

ACTIONS = (
    Action(
        "monitoring.sources.view", "See event sources and their ingest batches", changes_state=False
    ),
    Action(
        "monitoring.sources.manage",
        "Register event sources, change them and rotate their tokens",
        article="Art. 51",
    ),
    Action("monitoring.events.ingest", "Send events from a source", article="Art. 52"),
    Action("monitoring.assets.view", "See the asset registry", changes_state=False),
    Action(
        "monitoring.assets.manage",
        "Import asset registry entries (ranges, host names -> organisation)",
        article="Art. 51",
    ),
    Action(
        "monitoring.indicators.view", "See indicator sets and their indicators", changes_state=False
    ),
    Action(
        "monitoring.indicators.manage",
        "Import indicator sets (STIX 2.1 bundles, CSV)",
        article="Art. 51",
    ),
    Action(
        "monitoring.submissions.create",
        "Submit monitoring information upward (sector and provincial departments)",
        article="Art. 52",
    ),
    Action(
        "monitoring.submissions.view",
        "See submitted monitoring information",
        changes_state=False,
        article="Art. 52",
    ),
    Action(
        "monitoring.events.hunt",
        "Query the archived events with read-only SQL (hunting)",
        changes_state=False,
        article="Art. 51",
    ),
    Action(
        "monitoring.products.manage",
        "Record and remove the products (vendor, product, version, CPE) on assets",
        article="Art. 51",
    ),
    Action(
        "monitoring.vulnerabilities.view",
        "See the vulnerability catalogue (CVE records, KEV listings)",
        changes_state=False,
        article="Art. 51",
    ),
    Action(
        "monitoring.vulnerabilities.import",
        "Import CVE JSON 5 records and the CISA KEV catalogue into the vulnerability catalogue",
        article="Art. 51",
    ),
    Action(
        "monitoring.exposures.view",
        "See operators' vulnerability exposure: vulnerable products on their assets",
        changes_state=False,
        article="Art. 54(2)",
    ),
)

"""Authority actions of detections."""

from fenghuo.authority import Action

ACTIONS = (
    Action(
        "detection.detections.view",
        "See detections (Sigma rule matches) and the events they matched",
        changes_state=False,
        article="Art. 51",
    ),
    Action(
        "detection.batches.process",
        "Run the detection rules over an ingest batch and record its detections",
        article="Art. 51",
    ),
    Action(
        "detection.rules.view",
        "See the rulebook: the Sigma rules, their versions and why a rule does not compile",
        changes_state=False,
        article="Art. 51",
    ),
    Action(
        "detection.rules.manage",
        "Import rules into the rulebook and enable or disable them",
        article="Art. 51",
    ),
)

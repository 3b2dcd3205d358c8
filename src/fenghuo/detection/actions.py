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
)

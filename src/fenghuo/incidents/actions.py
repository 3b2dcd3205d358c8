"""Authority actions of incidents (Arts. 55 and 57; 2025 incident-reporting measures)."""

from fenghuo.authority import Action

VIEW = "incidents.incidents.view"
REPORT = "incidents.incidents.report"
UPDATE = "incidents.incidents.update"
OVERRIDE = "incidents.level.override"
MANAGE = "incidents.response.manage"
COMPLETE_TASK = "incidents.tasks.complete"
ADD_TIMELINE = "incidents.timeline.add"
ADD_EVIDENCE = "incidents.evidence.add"
VIEW_EVIDENCE = "incidents.evidence.view"
REFER = "incidents.referrals.create"

ACTIONS = (
    Action(
        VIEW,
        "See incidents, their classification, clocks, tasks, timeline and reports",
        changes_state=False,
        article="Art. 55",
    ),
    Action(REPORT, "Make the first report of an incident (or open one from detections)", "Art. 55"),
    Action(UPDATE, "Update an incident report, or submit its final summary report", "Art. 55"),
    Action(OVERRIDE, "Override the computed level of an incident, with a stated reason", "Art. 53"),
    Action(
        MANAGE,
        "Run the response: affected operators and assets, harm, recovery, close, cancel",
        "Art. 55",
    ),
    Action(COMPLETE_TASK, "Report a response task or directive as completed", "Art. 55"),
    Action(ADD_TIMELINE, "Add an event, action or decision to an incident's timeline", "Art. 55"),
    Action(ADD_EVIDENCE, "Upload an evidence file to an incident", "Art. 55"),
    Action(
        VIEW_EVIDENCE,
        "Download the evidence files of an incident",
        changes_state=False,
        article="Art. 55",
    ),
    Action(
        REFER, "Refer an incident to the emergency-management or work-safety authority", "Art. 57"
    ),
)

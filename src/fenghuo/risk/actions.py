"""Authority actions of risk assessment (Art. 54(2))."""

from fenghuo.authority import Action

VIEW = "risk.assessments.view"
REFRESH = "risk.assessments.refresh"
RECOMMENDATIONS_VIEW = "risk.recommendations.view"

ACTIONS = (
    Action(
        VIEW,
        "See risk assessments (possibility, scope, degree of harm) and the heatmap",
        changes_state=False,
        article="Art. 54(2)",
    ),
    Action(
        REFRESH,
        "Recompute and store every risk assessment and raise recommendations",
        article="Art. 54(2)",
    ),
    Action(
        RECOMMENDATIONS_VIEW,
        "See the warning recommendations of the risk model and turn one into a draft",
        changes_state=False,
        article="Art. 54",
    ),
)

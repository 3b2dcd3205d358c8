"""Risk assessment (Art. 54(2)): possibility, scope and degree of harm, surges, recommendations.

For every sector x province and every operator the model (``model.py``, parameters in
``model.yaml``) turns detections, sector submissions and incidents into the probability of an
incident of each level within 24 h and 7 days, a 0-100 score and the factors behind it;
``surge.py`` flags rates significantly above their own baseline. ``service.refresh`` stores a
snapshot; a score crossing the plan's ``risk_thresholds`` makes a recommendation for the
competent authority (``recommendations.py``). See docs/risk.md.
"""

"""The schedule stage: who deploys what, when. Missions written out in a scenario give their
activity directly (``written``); a ``deployment:`` block runs the engine: catalogue -> plan ->
simulation (SimPy) -> schedule (the activity tensor)."""

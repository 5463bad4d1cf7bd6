"""Inputs: the scenario schema, reading scenario files, the baseline data, projection,
parameter paths and what a policy rule implies. Nothing here knows of the engine or the model."""

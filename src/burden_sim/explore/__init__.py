"""Exploring a scenario: designs, the sweep, the evaluator of rows of parameters, executors
(local processes, Dask), the Zarr store and Sobol sensitivity."""

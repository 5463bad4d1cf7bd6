"""Exploring scenarios: designs, the sweep, the evaluator of rows of parameters, executors
(local processes, Dask), the Zarr store, Sobol sensitivity, the unit-cost bands and the
comparison of several scenarios."""

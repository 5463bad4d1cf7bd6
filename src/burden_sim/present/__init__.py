"""Presenting results: tables shared by the command line and the report, figures, the HTML
report, the scenario-file reference, and writing files."""

"""``python -m burden_sim``: the command line, as ``burden-sim``."""

from .cli import main

main(prog_name="burden-sim")

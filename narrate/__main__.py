"""``python -m narrate`` runs the command-line interface."""

from .cli import main

main()

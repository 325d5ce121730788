"""`python -m amdx` runs the `amdx` command."""

from amdx.cli import main

main()

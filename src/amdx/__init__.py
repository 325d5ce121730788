"""amdx: a simulator for joint air and missile defense command-post exercises.

All data is notional: fictional nations, invented or textbook-generic equipment. amdx controls nothing real.
"""

__version__ = "0.1.0"

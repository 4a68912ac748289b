"""OneTeam: coordinated command and enforcement supervision for township enforcement reform."""

__version__ = "0.1.0"

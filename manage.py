#!/usr/bin/env python
"""Django's manage.py, kept for habit; ``oneteam`` is the same entry point."""

from oneteam.cli import main

if __name__ == "__main__":
    main()

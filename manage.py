#!/usr/bin/env python
"""Developer shortcut; users run the `gentle` command, which is the same thing."""

from gentle.cli import main

if __name__ == "__main__":
    main()

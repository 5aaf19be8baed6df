"""Checking a contact list before import (issue 12).

``checker`` is plain Python (no Django): syntax, duplicates, typos, role accounts, disposable
domains, DNS, and suppressed addresses through a lookup it is given. ``csvfiles`` reads and writes
the files; ``run`` ties them together for the command, the portal and the console.
"""

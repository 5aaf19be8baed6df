"""The owner portal at /portal/: school owners see their paused addresses and ask to resume."""

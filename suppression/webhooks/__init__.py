"""ESP tracking webhooks: anymail verifies and normalizes, this package records the bounces.

``views`` and ``urls`` expose anymail's tracking views with authentication required;
``mapping`` turns a normalized event into a bounce (``evidence`` reads each provider's raw
fields); ``receivers`` records it through ``bounce_record``.
"""

"""Sign-in throttling around django-axes: the lockout page, the failure log, unlocking.

django-axes (configured in settings: ``AXES_*``) counts failed ``authenticate(request, ...)``
calls per username and per client address and refuses a locked one before the password is
checked. This package adds what axes leaves to the project: a page that says what is locked,
for how long and whom to ask; one log line per failure naming the username and the address; and
the admin where a lead or a superuser unlocks.
"""

import os

from django.core.wsgi import get_wsgi_application

from suppression.deadlines import mark_web_process

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kwiga_mail.settings")

application = get_wsgi_application()
# Connections opened from here on serve web requests: they get the web statement timeout.
mark_web_process()

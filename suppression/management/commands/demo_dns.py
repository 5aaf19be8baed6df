import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from suppression.demo import DEMO_ZONE
from suppression.demo_dns import start_server


class Command(BaseCommand):
    help = (
        "Serve the demo's DNS answers on 127.0.0.1 until stopped, for the domain guard of "
        "`make run` (point SUPPRESSION_DNS_NAMESERVERS/SUPPRESSION_DNS_PORT at it)."
    )

    requires_system_checks: list[str] = []  # it serves DNS, not the app

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8053)

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        try:
            server, _, bound = start_server(DEMO_ZONE, port=port)
        except OSError as error:
            raise CommandError(
                f"Cannot serve the demo's DNS on 127.0.0.1:{port} ({error.strerror}); "
                "choose another port (make run DNS_PORT=...)."
            ) from None
        self.stdout.write(f"Demo DNS on 127.0.0.1:{bound} answers for {len(DEMO_ZONE)} names.")
        self.stdout.flush()
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()

"""The sender_reputation reason (docs/design.md): soft, and it never suppresses the address."""

from django.conf import settings
from django.db import migrations, models

from suppression import appendonly


def triggers_back(apps, schema_editor):
    """SQLite rebuilds a table to change its constraints and the rebuild drops its triggers."""
    appendonly.install(schema_editor, "suppression_bounceevent", history=False)
    appendonly.install(schema_editor, "suppression_historicalsuppression", history=True)


class Migration(migrations.Migration):
    dependencies = [
        ("suppression", "0008_portal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="bounceevent",
            name="bounce_reason_valid",
        ),
        migrations.RemoveConstraint(
            model_name="suppression",
            name="suppression_reason_valid",
        ),
        migrations.AlterField(
            model_name="bounceevent",
            name="reason",
            field=models.CharField(
                choices=[
                    ("mailbox_unknown", "Non-existent address"),
                    ("domain_unknown", "Non-existent domain"),
                    ("sender_blocked", "Blocked sender"),
                    ("sender_reputation", "Platform refused (sender reputation)"),
                    ("rejected", "Server rejection"),
                    ("mailbox_full", "Mailbox full"),
                    ("server_unavailable", "Temporary server issues"),
                    ("message_too_large", "Large email size"),
                    ("spam_filtered", "Spam filters"),
                    ("dns_error", "DNS issues"),
                    ("unknown", "Unknown"),
                    ("complaint", "Spam complaint"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="historicalsuppression",
            name="reason",
            field=models.CharField(
                choices=[
                    ("mailbox_unknown", "Non-existent address"),
                    ("domain_unknown", "Non-existent domain"),
                    ("sender_blocked", "Blocked sender"),
                    ("sender_reputation", "Platform refused (sender reputation)"),
                    ("rejected", "Server rejection"),
                    ("mailbox_full", "Mailbox full"),
                    ("server_unavailable", "Temporary server issues"),
                    ("message_too_large", "Large email size"),
                    ("spam_filtered", "Spam filters"),
                    ("dns_error", "DNS issues"),
                    ("unknown", "Unknown"),
                    ("complaint", "Spam complaint"),
                ],
                max_length=20,
            ),
        ),
        migrations.AlterField(
            model_name="suppression",
            name="reason",
            field=models.CharField(
                choices=[
                    ("mailbox_unknown", "Non-existent address"),
                    ("domain_unknown", "Non-existent domain"),
                    ("sender_blocked", "Blocked sender"),
                    ("sender_reputation", "Platform refused (sender reputation)"),
                    ("rejected", "Server rejection"),
                    ("mailbox_full", "Mailbox full"),
                    ("server_unavailable", "Temporary server issues"),
                    ("message_too_large", "Large email size"),
                    ("spam_filtered", "Spam filters"),
                    ("dns_error", "DNS issues"),
                    ("unknown", "Unknown"),
                    ("complaint", "Spam complaint"),
                ],
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="bounceevent",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "reason__in",
                        [
                            "mailbox_unknown",
                            "domain_unknown",
                            "sender_blocked",
                            "sender_reputation",
                            "rejected",
                            "mailbox_full",
                            "server_unavailable",
                            "message_too_large",
                            "spam_filtered",
                            "dns_error",
                            "unknown",
                            "complaint",
                        ],
                    )
                ),
                name="bounce_reason_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="suppression",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "reason__in",
                        [
                            "mailbox_unknown",
                            "domain_unknown",
                            "sender_blocked",
                            "sender_reputation",
                            "rejected",
                            "mailbox_full",
                            "server_unavailable",
                            "message_too_large",
                            "spam_filtered",
                            "dns_error",
                            "unknown",
                            "complaint",
                        ],
                    )
                ),
                name="suppression_reason_valid",
            ),
        ),
        migrations.RunPython(triggers_back, migrations.RunPython.noop),
    ]

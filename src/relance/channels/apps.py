from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "relance.channels"
    label = "channels"

    def ready(self) -> None:
        from anymail.signals import tracking

        from relance.channels.tracking import tracking_receive

        # Providers' delivery webhooks (when EMAIL_URL is an anymail provider and its webhook is routed).
        tracking.connect(tracking_receive, dispatch_uid="relance.channels.tracking")

"""Meeting-protocol publisher: the domain core (no Celery imports here; see ``workers``)."""

__version__ = "0.1.0"
USER_AGENT = f"meeting-publisher/{__version__} (+https://github.com/meeting-publisher)"

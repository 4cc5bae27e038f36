"""Meeting-protocol publisher: the domain core (no Celery imports here; see ``workers``)."""

__version__ = "0.1.0"
USER_AGENT = f"meeting-publisher/{__version__} (+https://github.com/meeting-publisher)"

# Before any module of the extraction core is imported: run its compiled forms only when
# they were built from exactly the sources beside them (see publisher/_native.py).
from publisher import _native  # noqa: E402

_native.guard()

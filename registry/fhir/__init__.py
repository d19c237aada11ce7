"""A read-only FHIR R4 face on the public register (docs/FHIR.md): Practitioner read and
search, and the registry's code systems. It shows nothing the public page does not."""

from flask import Blueprint

bp = Blueprint("fhir", __name__, url_prefix="/fhir")

from . import views  # noqa: E402,F401  (registers the routes)

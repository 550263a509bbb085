"""The NinjaAPI instance: version 1, one router per area, one error shape, two ways in."""

from ninja import NinjaAPI

from needlechart.api import consultations, engine, patients, plans, screenings, sessions
from needlechart.api.auth import api_auth
from needlechart.api.errors import install_error_handlers

DESCRIPTION = """
NeedleChart's REST API. Authenticate with an API token (`Authorization: Bearer <secret>`,
created with `manage.py api_token create`) or, from the browser, the signed-in session (send
the `X-CSRFToken` header on POST). Roles apply exactly as in the web app.

Every error has one shape:
`{"error": {"code": "...", "message": "...", "fields": {"field.path": ["message"]}}}`.
"""

api = NinjaAPI(
    title="NeedleChart API",
    version="1",
    description=DESCRIPTION,
    auth=api_auth,
    urls_namespace="api:v1",  # nested: the include in config/urls.py is namespaced "api"
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)

api.add_router("/engine", engine.router)
api.add_router("/patients", patients.router)
api.add_router("/patients", consultations.router)
api.add_router("/screenings", screenings.router)
api.add_router("/plans", plans.router)
api.add_router("/sessions", sessions.router)

"""The OpenAPI description: key authentication, optional where reads are public, and every
error status the API can answer (so that clients, and schemathesis, can rely on the schema).

Loaded from ``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]`` and ``ApiConfig.ready``.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import permissions

from api.permissions import ReadOnlyUnlessWriteKey

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
INVALID = {
    "type": "object",
    "description": "`{field: [messages]}` for each invalid field (`non_field_errors` for the whole), or `{detail}`.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}],
    },
}


def _error(description, schema=ERROR):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "An API key: `Authorization: Bearer gb_…`. Read keys read; read-write keys also post demands."
            ),
        }


class AutoSchema(SpectacularAutoSchema):
    def get_auth(self):
        auths = super().get_auth()
        public_read = self.method in permissions.SAFE_METHODS and all(
            isinstance(permission, ReadOnlyUnlessWriteKey) for permission in self.view.get_permissions()
        )
        if public_read and {} not in auths:
            auths.append({})
        return auths

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = {
            "401": _error("No credentials where they are needed, or an unknown or revoked API key."),
            "403": _error("Not allowed: e.g. a read-only key writing."),
            "404": _error("No such record, or one the caller may not see; or a page past the end."),
            "406": _error("The Accept header asks for something other than JSON."),
            "429": _error("Too many requests; retry after the number of seconds in Retry-After."),
        }
        if self.method == "POST":
            errors["400"] = _error("Invalid input.", INVALID)
            errors["415"] = _error("The body is not JSON (or form data).")
        elif self._is_list_view():
            errors["400"] = _error("An invalid filter, page or page size.", INVALID)
        if getattr(self.view, "etag_lists", False) and self._is_list_view():
            responses["304"] = {"description": "Not modified since the ETag given in If-None-Match."}
        for status, response in errors.items():
            responses.setdefault(status, response)
        return responses

"""Token endpoints: `POST /v1/auth`, `POST /v2/auth/token`, `POST /v2/auth/revoke`
(personio-api.md section 2, credentials-service-api-v2.json for the OAuth2 error bodies).
"""

from __future__ import annotations

import json
from typing import Any

from tap_personio.sandbox.credential import rights_for_scopes
from tap_personio.sandbox.ratelimit import V1_AUTH, V2_AUTH
from tap_personio.sandbox.server import (
    ApiError,
    App,
    Request,
    Response,
    Route,
    json_response,
    trace_id,
    utc_now_text,
    v1_ok,
)

FORM = "application/x-www-form-urlencoded"
_ERRORS = "https://developer.personio.de/reference/errors#credentials.oauth2."


# --------------------------------------------------------------------------- v1
def _v1_credentials(req: Request) -> dict[str, Any]:
    if req.content_type == "application/json":
        try:
            payload = json.loads(req.body or b"{}")
        except ValueError:
            return {}
        return payload if isinstance(payload, dict) else {}
    return dict(req.form())


def v1_auth(app: App, req: Request) -> Response:
    """JSON or form body; the query string is refused since 2026-12-04 (new credentials)."""
    if "client_id" in req.query or "client_secret" in req.query:
        raise ApiError(
            403,
            "Passing credentials in the query string is no longer supported; "
            "send client_id and client_secret in the request body.",
        )
    body = _v1_credentials(req)
    credential = app.credential
    if body.get("client_id") != credential.client_id or (
        body.get("client_secret") != credential.client_secret
    ):
        raise ApiError(401, "Wrong credentials")
    token = app.tokens.v1_token(credential.rights)
    return v1_ok(
        {
            "token": token.value,
            "expires_in": app.tokens.expires_in(token),
            "scope": credential.scope_string(token.rights, "v1"),
        }
    )


# --------------------------------------------------------------------------- v2
def oauth_error(
    error: str, description: str, anchor: str, uri_field: str = "error_uri", **extra: Any
) -> Response:
    """An `OAuth2TokenErrorResponse`; every documented failure is a 400."""
    payload: dict[str, Any] = {
        "timestamp": utc_now_text(),
        "trace_id": trace_id(),
        "error": error,
        "error_description": description,
        uri_field: _ERRORS + anchor,
    }
    payload.update(extra)
    return json_response(400, payload, "application/problem+json")


def _missing(*names: str) -> Response:
    return oauth_error(
        "invalid_request",
        "The request has missing or invalid required parameters.",
        "invalid_request.required_parameters_missing",
        meta={"missing_parameters": list(names)},
    )


# Known OAuth2 grants Personio does not support (anything else is an invalid grant).
_OTHER_GRANTS = frozenset(
    {
        "authorization_code",
        "password",
        "refresh_token",
        "implicit",
        "urn:ietf:params:oauth:grant-type:device_code",
        "urn:ietf:params:oauth:grant-type:jwt-bearer",
        "urn:ietf:params:oauth:grant-type:token-exchange",
    }
)


def v2_token(app: App, req: Request) -> Response:
    """Client-credentials grant; checks run in the order the spec's examples imply."""
    if req.content_type != FORM:
        return oauth_error(  # this example of the spec carries `type`, not `error_uri`
            "invalid_request",
            'The content type of the request must be "application/x-www-form-urlencoded".',
            "invalid_request.invalid_request_content_type",
            uri_field="type",
        )
    form = req.form()
    grant = form.get("grant_type")
    if not grant:
        return _missing("grant_type")
    if grant != "client_credentials":
        if grant in _OTHER_GRANTS:
            return oauth_error(
                "unsupported_grant_type",
                "The requested authorization grant type is not supported by the server.",
                "unsupported_grant_type",
                meta={"grant_type": grant},
            )
        return oauth_error(
            "invalid_grant",
            "Error in the authorization flow. Examples: client doesn't have access to all "
            "attributes in the requested scope, refresh token has been revoked, authorization "
            "code has already been consumed...",
            "invalid_grant",
        )
    credential = app.credential
    if not form.get("client_id"):
        return _missing("client_id")
    if form["client_id"] != credential.client_id:
        return oauth_error(
            "invalid_client",
            "Client authentication failed (e.g., unknown client, wrong secret, no client "
            "authentication included, or unsupported authentication method).",
            "invalid_client",
        )
    if not form.get("client_secret"):
        return _missing("client_secret")
    if form["client_secret"] != credential.client_secret:
        return oauth_error(
            "unauthorized_client",
            "Client is not allowed to use the specified grant type flow.",
            "unauthorized_client",
        )
    rights = credential.rights
    if form.get("scope", "").strip():
        requested = rights_for_scopes(form["scope"].split(), credential.rights)
        if requested is None:
            return oauth_error(
                "invalid_scope", "One of the requested scopes is invalid.", "invalid_scope"
            )
        if not requested <= credential.rights:
            return oauth_error(
                "invalid_grant",
                "Error in the authorization flow. Examples: client doesn't have access to all "
                "attributes in the requested scope.",
                "invalid_grant",
            )
        rights = requested
    token = app.tokens.v2_token(rights)
    return json_response(
        200,
        {
            "access_token": token.value,
            "token_type": "Bearer",
            "expires_in": app.tokens.expires_in(token),
            "scope": credential.scope_string(rights, "v2"),
            "refresh_token": None,
        },
    )


def v2_revoke(app: App, req: Request) -> Response:
    """Revoke one token; unknown tokens are accepted silently (RFC 7009)."""
    token = req.form().get("token") if req.content_type == FORM else None
    if not token:
        return _missing("token")
    app.tokens.revoke(token)
    return Response(200, b"", "text/plain")


ROUTES: tuple[Route, ...] = (
    Route("POST", "/v1/auth", v1_auth, auth=False, limits=(V1_AUTH,)),
    Route("POST", "/v2/auth/token", v2_token, auth=False, limits=(V2_AUTH,)),
    Route("POST", "/v2/auth/revoke", v2_revoke, auth=False, limits=(V2_AUTH,)),
)

"""Personio access tokens for both API generations.

One credential (client id and secret) mints a token at ``POST /v1/auth`` (JSON body, answer
wrapped in ``{"success": true, "data": {...}}``) and at ``POST /v2/auth/token`` (OAuth2 client
credentials, form body). Tokens live 24 h and may be shared by parallel requests, so each
generation keeps one token per tap run: minted when a stream of that generation first needs it,
reused, renewed shortly before it expires and minted again once after a rejection.
"""

from __future__ import annotations

import threading
import time
import typing as t
from dataclasses import dataclass

import requests
from singer_sdk.authenticators import APIAuthenticatorBase

from tap_personio.errors import PersonioAuthError

#: Renew this long before the announced expiry, so that no request races the deadline.
RENEW_MARGIN_SECONDS = 60
#: Personio's documented lifetime, used when an answer does not say.
DEFAULT_LIFETIME_SECONDS = 86_400


@dataclass(frozen=True, slots=True)
class TokenEndpoint:
    """How one API generation mints a token."""

    generation: str
    path: str
    form_body: bool

    def body(self, client_id: str, client_secret: str) -> dict[str, str]:
        """The request body; v1 wants JSON, v2 a form with the OAuth2 grant type."""
        body = {"client_id": client_id, "client_secret": client_secret}
        if self.form_body:
            body["grant_type"] = "client_credentials"
        return body

    def parse(self, payload: t.Any) -> tuple[str, int]:
        """Token and lifetime from an answer of this endpoint."""
        data = payload.get("data", payload) if self.generation == "v1" else payload
        token = data.get("token") if self.generation == "v1" else data.get("access_token")
        if not isinstance(token, str) or not token:
            raise PersonioAuthError(
                f"POST {self.path} answered without a token; check that api_url points at "
                "Personio's API."
            )
        lifetime = data.get("expires_in") or DEFAULT_LIFETIME_SECONDS
        return token, int(lifetime)


V1_TOKEN = TokenEndpoint(generation="v1", path="/v1/auth", form_body=False)
V2_TOKEN = TokenEndpoint(generation="v2", path="/v2/auth/token", form_body=True)

#: Posts a token request (URL, body, as form?) and returns the successful response.
TokenPoster = t.Callable[[str, dict[str, str], bool], requests.Response]


class PersonioAuthenticator(APIAuthenticatorBase):
    """Adds a bearer token to every request of one API generation."""

    def __init__(
        self,
        *,
        endpoint: TokenEndpoint,
        api_url: str,
        client_id: str,
        client_secret: str,
        post: TokenPoster,
        clock: t.Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self._url = api_url + endpoint.path
        self._client_id = client_id
        self._client_secret = client_secret
        self._post = post
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._renew_at = 0.0
        self._reminted_after_rejection = False
        self.mint_count = 0

    @property
    def token(self) -> str:
        """A valid token, minted on first use and renewed shortly before expiry."""
        with self._lock:
            if self._token is None or self._clock() >= self._renew_at:
                self._mint()
            assert self._token is not None
            return self._token

    def _mint(self) -> None:
        response = self._post(
            self._url,
            self.endpoint.body(self._client_id, self._client_secret),
            self.endpoint.form_body,
        )
        token, lifetime = self.endpoint.parse(response.json())
        self._token = token
        margin = min(RENEW_MARGIN_SECONDS, lifetime / 10)  # short lifetimes: renew at 90 %
        self._renew_at = self._clock() + lifetime - margin
        self.mint_count += 1
        self.logger.info("Obtained a Personio %s access token", self.endpoint.generation)

    def authenticate_request(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Set the bearer header on each attempt, so a retry carries a re-minted token."""
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def rejected(self, refused: str | None = None) -> bool:
        """Record that Personio refused the token ``refused`` carried (a ``Bearer`` header);
        True when one more attempt is worth it.

        The first refusal drops the token so that the retry mints a fresh one. Refusals of a
        token already dropped (requests that were in flight with it) retry as well. A refusal
        of a fresh token means the credential was revoked or lacks the access right.
        """
        with self._lock:
            if refused is not None and refused != f"Bearer {self._token}":
                return True  # an older token: the retry carries the current one
            if self._reminted_after_rejection:
                return False
            self._reminted_after_rejection = True
            self._token = None
            return True

    def accepted(self) -> None:
        """A request went through: a later refusal deserves a fresh token again."""
        self._reminted_after_rejection = False

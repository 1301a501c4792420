"""The typed HTTP client of the reference server: one method per operation."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Final, Literal, overload

import httpx

from verwijsindex_core.client._problems import error_from_problem
from verwijsindex_core.errors import ValidationError, VerwijsindexError
from verwijsindex_core.matching import (
    Contact,
    Match,
    Notification,
    Professional,
    Registration,
    Signal,
)
from verwijsindex_core.pseudonym import Bsn, Pseudonym
from verwijsindex_core.pseudonym._b64 import b64u_decode, b64u_encode
from verwijsindex_core.pseudonym.oprf import Evaluation

__all__ = ["Client"]

Subject = Bsn | Pseudonym | Sequence[Pseudonym]
_USER_AGENT: Final = "verwijsindex-core-client/1"


def _id(value: object, field: str) -> int:
    if type(value) is not int:
        raise ValidationError(field, "type", "must be an integer id")
    return value


def _text(value: object, field: str) -> str:
    if type(value) is not str:
        raise ValidationError(field, "type", "must be text")
    return value


def _subject(value: object, field: str = "subject") -> dict[str, Any]:
    """The body member of a subject: ``bsn`` (keyed server) or ``pseudonym`` (blind)."""
    return (
        {"bsn": value.digits}
        if isinstance(value, Bsn)
        else {"pseudonym": _pseudonyms(value, field)}
    )


def _pseudonyms(value: object, field: str) -> str | list[str]:
    if isinstance(value, Pseudonym):
        return value.text
    if isinstance(value, (list, tuple)) and value and all(isinstance(p, Pseudonym) for p in value):
        return [p.text for p in value]
    raise ValidationError(
        field, "type", "must be a Bsn, a Pseudonym or a list of Pseudonyms (one per key)"
    )


def _parent(value: object, i: int) -> object:
    member = _subject(value, f"parents[{i}]")
    return member.get("bsn", member.get("pseudonym"))


def _date(value: object, field: str) -> str:
    if type(value) is not date:
        raise ValidationError(field, "type", "must be a date")
    return value.isoformat()


class Client:
    """A client of one server for one credential.

    ``base_url`` is the server's address (``http://127.0.0.1:8000``; a trailing ``/v1`` is
    fine); ``token`` the bearer token from ``verwijsindex credentials issue``. Every method
    raises the library's errors, rebuilt from the server's problem details with their field
    and rule (:class:`~verwijsindex_core.errors.ValidationError` with every problem in
    ``errors``, :class:`~verwijsindex_core.errors.UnknownRecord` for 404,
    :class:`~verwijsindex_core.errors.NotPermitted` for 401, 403 and 429, ...); a server that
    cannot be reached is a :class:`~verwijsindex_core.errors.VerwijsindexError` with rule
    ``unreachable``. A 429 is retried after ``Retry-After`` while the waits add up to at most
    ``max_retry_wait`` seconds. Use it as a context manager, or call :meth:`close`.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 30.0,
        max_retry_wait: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        url = _text(base_url, "base_url").rstrip("/").removesuffix("/v1")
        if not url.startswith(("http://", "https://")):
            raise ValidationError("base_url", "url", "must start with http:// or https://")
        secret = _text(token, "token").strip()
        if not secret or any(c.isspace() for c in secret) or not secret.isprintable():
            raise ValidationError("token", "format", "must be one bearer token")
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
            raise ValidationError("timeout", "range", "must be a positive number of seconds")
        if isinstance(max_retry_wait, bool) or not isinstance(max_retry_wait, (int, float)):
            raise ValidationError("max_retry_wait", "type", "must be a number of seconds")
        self._max_wait = float(max_retry_wait)
        self._http = httpx.Client(
            base_url=url + "/v1",
            headers={"Authorization": f"Bearer {secret}", "User-Agent": _USER_AGENT},
            timeout=timeout,
            transport=transport,
        )

    def __repr__(self) -> str:
        return f"Client(base_url={str(self._http.base_url)!r}, token='…')"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transport ----------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        content = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json"} if content is not None else None
        waited = 0.0
        while True:
            try:
                response = self._http.request(
                    method, path, content=content, params=params, headers=headers
                )
            except httpx.HTTPError as exc:
                raise VerwijsindexError(
                    "server", "unreachable", f"no answer from the server ({type(exc).__name__})"
                ) from None
            if response.status_code == 429:
                wait = _retry_after(response)
                if wait is not None and waited + wait <= self._max_wait:
                    time.sleep(wait)
                    waited += wait
                    continue
            if response.status_code >= 400:
                raise error_from_problem(response.status_code, response.content)
            return response

    def _json(
        self, method: str, path: str, body: Mapping[str, Any] | None = None, **params: Any
    ) -> Any:
        query = {k: v for k, v in params.items() if v is not None}
        response = self._call(method, path, body, query or None)
        try:
            return response.json()
        except ValueError:
            raise VerwijsindexError("response", "json", "the server's answer is not JSON") from None

    # --- signals --------------------------------------------------------------------------------

    def register_signal(
        self,
        subject: Subject,
        *,
        date_of_birth: date,
        professional: Professional | Mapping[str, Any],
        municipality: str,
        domain: str | None = None,
        planned_end: date | None = None,
        parents: Iterable[Subject] = (),
        postponement: str | None = None,
    ) -> Registration:
        """``registerSignal``: the signal, its matches, the own notifications (with the other
        parties' contacts), the informing duty and any history notice."""
        if isinstance(professional, Professional):
            person = professional.model_dump(mode="json", exclude={"organisation_id"})
        elif isinstance(professional, Mapping):
            person = dict(professional)
        else:
            raise ValidationError("professional", "type", "must be a Professional or a mapping")
        if isinstance(parents, (str, bytes, Mapping)) or not isinstance(parents, Iterable):
            raise ValidationError("parents", "type", "must be a list of parents")
        body: dict[str, Any] = {
            **_subject(subject),
            "date_of_birth": _date(date_of_birth, "date_of_birth"),
            "professional": person,
            "municipality": _text(municipality, "municipality"),
        }
        parent_list = [_parent(p, i) for i, p in enumerate(parents)]
        if parent_list:
            body["parents"] = parent_list
        for name, value in (("domain", domain), ("postponement", postponement)):
            if value is not None:
                body[name] = _text(value, name)
        if planned_end is not None:
            body["planned_end"] = _date(planned_end, "planned_end")
        return Registration.model_validate(self._json("POST", "/signals", body))

    def get_signal(self, signal_id: int) -> Signal:
        """``getSignal``: one of the organisation's own signals."""
        return Signal.model_validate(self._json("GET", f"/signals/{_id(signal_id, 'signal_id')}"))

    def end_signal(self, signal_id: int, reason: str) -> None:
        """``endSignal``: ``risk_gone`` keeps it as history, ``unjustified`` deletes it."""
        path = f"/signals/{_id(signal_id, 'signal_id')}/end"
        self._call("POST", path, {"reason": _text(reason, "reason")})

    def view_history(self, signal_id: int, reason: str) -> list[Contact]:
        """``viewHistory``: earlier professionals' contacts, for a stated reason."""
        path = f"/signals/{_id(signal_id, 'signal_id')}/history"
        found = self._json("GET", path, reason=_text(reason, "reason"))
        return [Contact.model_validate(c) for c in found["contacts"]]

    # --- matches and notifications ------------------------------------------------------------

    def list_matches(self, professional_id: str | None = None) -> list[Match]:
        """``listMatches``: the matches on the organisation's (professional's) signals."""
        if professional_id is not None:
            _text(professional_id, "professional_id")
        found = self._json("GET", "/matches", professional_id=professional_id)
        return [Match.model_validate(m) for m in found["matches"]]

    def mark_coordinator(self, match_id: int, signal_id: int) -> Match:
        """``markCoordinator``: the party's signal that coordinates the match."""
        path = f"/matches/{_id(match_id, 'match_id')}/coordinator"
        body = {"signal_id": _id(signal_id, "signal_id")}
        return Match.model_validate(self._json("POST", path, body))

    def mark_afgestemd(self, match_id: int) -> Match:
        """``markAfgestemd``: the parties have coordinated."""
        path = f"/matches/{_id(match_id, 'match_id')}/afgestemd"
        return Match.model_validate(self._json("POST", path))

    def list_notifications(self, professional_id: str | None = None) -> list[Notification]:
        """``listNotifications``: the outbox, oldest first (until acknowledged)."""
        if professional_id is not None:
            _text(professional_id, "professional_id")
        found = self._json("GET", "/notifications", professional_id=professional_id)
        return [Notification.model_validate(n) for n in found["notifications"]]

    def acknowledge_notifications(
        self, ids: Iterable[int], professional_id: str | None = None
    ) -> int:
        """``acknowledgeNotifications``: how many left the outbox."""
        if isinstance(ids, (str, bytes, Mapping)) or not isinstance(ids, Iterable):
            raise ValidationError("ids", "type", "must be a list of integer ids")
        body: dict[str, Any] = {"ids": [_id(v, f"ids[{i}]") for i, v in enumerate(ids)]}
        if professional_id is not None:
            body["professional_id"] = _text(professional_id, "professional_id")
        return int(self._json("POST", "/notifications/acknowledge", body)["acknowledged"])

    # --- the operator's feeds -------------------------------------------------------------------

    def record_move(self, subject: Subject, municipality: str) -> Notification | None:
        """``recordMove``: the notice to the new region's coordinator, if one was needed."""
        body = {**_subject(subject), "municipality": _text(municipality, "municipality")}
        found = self._json("POST", "/moves", body)["notification"]
        return None if found is None else Notification.model_validate(found)

    def record_death(self, subject: Subject) -> list[int]:
        """``recordDeath``: the ids of the signals that ended."""
        return [int(i) for i in self._json("POST", "/deaths", _subject(subject))["ended_signals"]]

    def set_parents(self, child: Subject, parents: Iterable[Subject]) -> list[Match]:
        """``setParents``: the family matches the link made."""
        if isinstance(parents, (str, bytes, Mapping)) or not isinstance(parents, Iterable):
            raise ValidationError("parents", "type", "must be a list of parents")
        body = {
            **_subject(child, "child"),
            "parents": [_parent(p, i) for i, p in enumerate(parents)],
        }
        return [
            Match.model_validate(m) for m in self._json("POST", "/parent-links", body)["matches"]
        ]

    # --- inzage ---------------------------------------------------------------------------------

    @overload
    def request_inzage(
        self,
        subject: Subject,
        *,
        date_of_birth: date,
        requesters: Sequence[str],
        format: Literal["json"] = "json",
        lang: Literal["nl", "en"] = "nl",
    ) -> dict[str, Any]: ...

    @overload
    def request_inzage(
        self,
        subject: Subject,
        *,
        date_of_birth: date,
        requesters: Sequence[str],
        format: Literal["html"],
        lang: Literal["nl", "en"] = "nl",
    ) -> str: ...

    def request_inzage(
        self,
        subject: Subject,
        *,
        date_of_birth: date,
        requesters: Sequence[str],
        format: Literal["json", "html"] = "json",
        lang: Literal["nl", "en"] = "nl",
    ) -> dict[str, Any] | str:
        """``requestInzage``: the signed JSON report (check it with
        :func:`~verwijsindex_core.inzage.verify_report`) or the HTML report."""
        if isinstance(requesters, (str, bytes)) or not isinstance(requesters, Sequence):
            raise ValidationError("requesters", "type", "must be a list such as ['parent']")
        body = {
            **_subject(subject),
            "date_of_birth": _date(date_of_birth, "date_of_birth"),
            "requesters": [_text(r, f"requesters[{i}]") for i, r in enumerate(requesters)],
            "format": _text(format, "format"),
            "lang": _text(lang, "lang"),
        }
        response = self._call("POST", "/inzage-requests", body)
        if format == "html":
            return response.text
        found: dict[str, Any] = response.json()
        return found

    # --- blind pseudonyms -----------------------------------------------------------------------

    def evaluate_oprf(self, blinded_elements: Sequence[bytes]) -> Evaluation:
        """``evaluateOprf``: the service's evaluation of one batch, which
        ``BlindPseudonymiser.finalize`` checks (the proof). Pass this method as the
        ``evaluate`` of ``BlindPseudonymiser.pseudonymise_many``."""
        if isinstance(blinded_elements, (str, bytes)) or not isinstance(blinded_elements, Sequence):
            raise ValidationError("blinded_elements", "type", "must be a list of bytes")
        texts = []
        for i, element in enumerate(blinded_elements):
            if not isinstance(element, bytes):
                raise ValidationError(f"blinded_elements[{i}]", "type", "must be bytes")
            texts.append(b64u_encode(element))
        found = self._json("POST", "/oprf-evaluations", {"blinded_elements": texts})
        elements = [b64u_decode(e) if isinstance(e, str) else None for e in found["elements"]]
        proof = found.get("proof")
        raw_proof = b64u_decode(proof) if isinstance(proof, str) else None
        if any(e is None for e in elements) or (proof is not None and raw_proof is None):
            raise VerwijsindexError("response", "encoding", "the evaluation is not base64url")
        return Evaluation(tuple(e for e in elements if e is not None), raw_proof)

    def health(self) -> dict[str, Any]:
        """``health``: the server answers (no credential needed)."""
        found: dict[str, Any] = self._json("GET", "/health")
        return found


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None

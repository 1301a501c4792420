"""The typed client of the reference server (extra ``[server]``: httpx).

:class:`Client` has one method per operation of ``docs/server.md`` and raises the library's
own errors, rebuilt from the server's problem details with their field and rule::

    from verwijsindex_core.client import Client

    with Client("http://127.0.0.1:8000", token) as api:
        registration = api.register_signal(bsn, date_of_birth=born, professional=mentor)
        api.list_matches()
"""

try:
    import httpx  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the install
    raise ImportError(
        "the client needs the server extra: pip install 'verwijsindex-core[server]'"
    ) from exc

from verwijsindex_core.client._client import Client

__all__ = ["Client"]

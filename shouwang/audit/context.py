"""The request a service runs under, so that audit rows carry the client's IP address."""

from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("client_ip", default=None)

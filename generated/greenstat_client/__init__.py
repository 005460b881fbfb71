"""A client library for accessing Green API getStatusStatistic"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)

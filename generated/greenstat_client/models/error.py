import msgspec

from ..types import UNSET, Model, Unset


class Error(Model, kw_only=True):
    """Error body. Green API does not document error bodies for most codes; this shape (the one its
    gateway returns for JSON errors) is what the reference mock sends. Clients must not rely on more
    than the status code.

    """

    message: str
    """ A human-readable explanation. """

    status_code: int | Unset = msgspec.field(name="statusCode", default=UNSET)
    """ The HTTP status code, repeated. """

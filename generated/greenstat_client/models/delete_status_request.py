import msgspec

from ..types import Model


class DeleteStatusRequest(Model, kw_only=True):
    id_message: str = msgspec.field(name="idMessage")
    """ A status id, as a send method answers it, e.g. `BAE5F4886F6F2D05` (16 hex), `3EB0C767D097B7C7C030`
    (20 hex) or `F7AEC1B7086ECDC7E6E45923F5EDB825` (32 hex). Opaque: no pattern; at most 256 characters
    (our bound, larger than any id seen).
     """

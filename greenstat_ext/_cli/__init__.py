"""Commands of the ``greenstat`` CLI; each module exposes ``register(app)``."""

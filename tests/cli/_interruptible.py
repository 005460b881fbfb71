"""The ``python -c`` program the Ctrl-C tests run: ``greenstat``'s ``main()``, Ctrl-C as in a terminal.

Why not plain ``main()``: a shell without job control starts a background job (``make test &`` in a script,
a CI step run in the background) with SIGINT ignored, children inherit that, and Python then installs no
KeyboardInterrupt handler: the tests' SIGINT did nothing and they hung until their timeout. Restoring Python's
default handler first gives the program what a user's terminal gives it.
"""

INTERRUPTIBLE_MAIN = (
    "import signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from greenstat_ext.cli import main; main()"
)

"""The endpoint modules of the tag ``statuses``.

The operation table and the typed facade of every tag are :mod:`greenstat_client.api`. Generated from the
spec through greenstat's ``templates/endpoint_init.py.jinja``; never edit by hand.
"""

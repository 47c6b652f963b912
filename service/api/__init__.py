"""The HTTP API's routers (mounted under ``/api/v1`` by :func:`annexkit.service.app.create_app`)."""

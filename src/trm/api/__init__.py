"""The REST API at /api/ and the API tokens other systems use to call it.

`trm.api` is an installed app (its ApiToken model), so importing it must not import the
routers, which need the other apps loaded: `from trm.api import api` loads them on first use.
"""


def __getattr__(name):
    if name == "api":
        from .main import api

        return api
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

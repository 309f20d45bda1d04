import functools
import hmac
import os

from flask import abort, request


def require_api_key(view):
    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        if not hmac.compare_digest(request.headers.get("X-Api-Key", ""), os.environ["API_KEY"]):
            abort(401)
        return view(*args, **kwargs)
    return wrapped

import hashlib
import hmac

from flask import Flask

app = Flask(__name__)


def sign(key, body):
    return hmac.new(key, body, hashlib.sha1).hexdigest()

"""Accounts: passwords, tokens, sessions, and the clients the service uses."""
import hashlib
import hmac
import logging
import random
import secrets
import ssl

import jwt
import ldap
import requests
from Crypto.Cipher import AES, DES
from flask import Blueprint, request, make_response

from app import app

log = logging.getLogger("accounts")
bp = Blueprint("accounts", __name__)

STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"  # want "CODE-SEC-001"
WEBHOOK_SECRET = "Zr8#qL2!vX9mT4wK7pB"  # want "CODE-SEC-002"
DB_PASSWORD = "changeme"
API_KEY_NAME = "X-API-KEY"
IV = b"0123456789abcdef"


def store_password(user, password):
    digest = hashlib.md5(password.encode()).hexdigest()  # want "CODE-CRY-001"
    log.info("stored the password of %s", user)
    return digest


def etag(body):
    return hashlib.md5(body).hexdigest()


def login(user, password):
    log.debug("login %s with %s", user, password)  # want "CODE-SEC-003"
    return hashlib.sha256(password.encode()).hexdigest()


def sign(body, key):
    weak = hmac.new(key, body, hashlib.sha1).hexdigest()  # want "CODE-CRY-002"
    strong = hmac.new(key, body, hashlib.sha256).hexdigest()
    return weak + strong


def encrypt(key, data):
    legacy = DES.new(key, DES.MODE_CBC)  # want "CODE-CRY-003"
    ecb = AES.new(key, AES.MODE_ECB)  # want "CODE-CRY-003"
    gcm = AES.new(key, AES.MODE_GCM)
    cbc = AES.new(key, AES.MODE_CBC, iv=IV)  # want "CODE-CRY-004"
    fresh = AES.new(key, AES.MODE_CBC, iv=secrets.token_bytes(16))
    return legacy, ecb, gcm, cbc, fresh


def reset_token():
    token = "".join(random.choice("abcdef0123456789") for _ in range(32))  # want "CODE-CRY-005"
    return token


def new_session_id():
    return secrets.token_urlsafe(32)


def jitter():
    delay = random.random() * 3
    return delay


def partner_prices():
    insecure = requests.get("https://partner.example.com/prices", verify=False)  # want "CODE-CRY-006"
    secure = requests.get("https://partner.example.com/prices", verify=True)
    legacy = ssl.SSLContext(ssl.PROTOCOL_TLSv1)  # want "CODE-CRY-007"
    modern = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return insecure, secure, legacy, modern


@bp.route("/session", methods=["POST"])
def session():
    resp = make_response("ok")
    resp.set_cookie("sid", secrets.token_urlsafe(32))  # want "CODE-WEB-001"
    resp.set_cookie("sid2", secrets.token_urlsafe(32), secure=True, httponly=True)
    return resp


def claims(token, key):
    unpinned = jwt.decode(token, key)  # want "CODE-WEB-004"
    pinned = jwt.decode(token, key, algorithms=["HS256"])
    return unpinned, pinned


@bp.route("/directory")
def directory():
    conn = ldap.initialize("ldap://ldap.internal")
    user = request.args.get("user")
    conn.search_s("dc=shop", ldap.SCOPE_SUBTREE, "(uid=" + user + ")")  # want "CODE-INJ-007"
    conn.search_s("dc=shop", ldap.SCOPE_SUBTREE, "(uid=" + ldap.filter.escape_filter_chars(user) + ")")
    return "ok"


app.register_blueprint(bp)


from flask_cors import CORS

CORS(app, supports_credentials=True)  # want "CODE-WEB-002"

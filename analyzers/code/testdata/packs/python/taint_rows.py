"""Every taint and check row of the Python packs, called once (TestEveryRowExercised)."""
import aiohttp
import django
import fastapi
import flask
import flask_cors
import jose
import jwt
import kafka
import langchain
import langchain.tools
import langchain_community
import langchain_core
import langchain_core.tools
import langchain_experimental
import lxml
import pika
import starlette
import Crypto
import aiohttp
import asyncio
import bleach
import cryptography
import dill
import django
import fastapi
import flask
import flask_cors
import hashlib
import hmac
import html
import httpx
import io
import jinja2
import jose
import jsonpickle
import jwt
import kafka
import langchain
import langchain_community
import langchain_core
import langchain_experimental
import ldap
import ldap3
import logging
import lxml
import markupsafe
import marshal
import os
import pickle
import random
import re
import requests
import shlex
import shutil
import sqlalchemy
import ssl
import subprocess
import urllib
import uuid
import werkzeug
import yaml


def rows(t, f):
    flask.request.args(t, t, t)
    flask.request.form(t, t, t)
    flask.request.values(t, t, t)
    flask.request.json(t, t, t)
    flask.request.get_json(t, t, t)
    flask.request.data(t, t, t)
    flask.request.get_data(t, t, t)
    flask.request.headers(t, t, t)
    flask.request.cookies(t, t, t)
    flask.request.files(t, t, t)
    django.http.HttpRequest.GET(t, t, t)
    django.http.HttpRequest.POST(t, t, t)
    django.http.HttpRequest.body(t, t, t)
    django.http.HttpRequest.COOKIES(t, t, t)
    django.http.HttpRequest.headers(t, t, t)
    django.http.HttpRequest.META(t, t, t)
    aiohttp.web.Request.query(t, t, t)
    aiohttp.web.Request.match_info(t, t, t)
    aiohttp.web.Request.json(t, t, t)
    aiohttp.web.Request.post(t, t, t)
    aiohttp.web.Request.text(t, t, t)
    kafka.KafkaConsumer(t, t, t)
    f(on_message_callback=t)
    x.execute(t, t, t)
    x.executemany(t, t, t)
    x.executescript(t, t, t)
    sqlalchemy.text(t, t, t)
    x.objects.raw(t, t, t)
    os.system(t, t, t)
    os.popen(t, t, t)
    subprocess.run(t, t, t)
    subprocess.call(t, t, t)
    subprocess.check_output(t, t, t)
    subprocess.Popen(t, t, t)
    subprocess.getoutput(t, t, t)
    asyncio.create_subprocess_shell(t, t, t)
    eval(t, t, t)
    exec(t, t, t)
    open(t, t, t)
    io.open(t, t, t)
    os.remove(t, t, t)
    os.unlink(t, t, t)
    shutil.rmtree(t, t, t)
    flask.send_file(t, t, t)
    requests.get(t, t, t)
    requests.post(t, t, t)
    requests.request(t, t, t)
    httpx.get(t, t, t)
    httpx.AsyncClient.get(t, t, t)
    urllib.request.urlopen(t, t, t)
    flask.make_response(t, t, t)
    django.http.HttpResponse(t, t, t)
    markupsafe.Markup(t, t, t)
    django.utils.safestring.mark_safe(t, t, t)
    flask.render_template_string(t, t, t)
    jinja2.Template(t, t, t)
    jinja2.Environment.from_string(t, t, t)
    flask.redirect(t, t, t)
    django.shortcuts.redirect(t, t, t)
    django.http.HttpResponseRedirect(t, t, t)
    pickle.loads(t, t, t)
    pickle.load(t, t, t)
    dill.loads(t, t, t)
    jsonpickle.decode(t, t, t)
    marshal.loads(t, t, t)
    yaml.unsafe_load(t, t, t)
    yaml.load(t, t, t)
    yaml.load(t, t, t)
    lxml.etree.fromstring(t, t, t)
    lxml.etree.parse(t, t, t)
    ldap.x.search_s(t, t, t)
    ldap3.Connection.search(t, t, t)
    x.xpath(t, t, t)
    logging.x(t, t, t)
    logging.getLogger.x(t, t, t)
    print(t, t, t)
    hashlib.md5(t, t, t)
    hashlib.sha1(t, t, t)
    hashlib.md5.update(t, t, t)
    hashlib.sha1.update(t, t, t)
    int(t, t, t)
    float(t, t, t)
    bool(t, t, t)
    len(t, t, t)
    uuid.UUID(t, t, t)
    html.escape(t, t, t)
    markupsafe.escape(t, t, t)
    flask.escape(t, t, t)
    bleach.clean(t, t, t)
    shlex.quote(t, t, t)
    os.path.basename(t, t, t)
    werkzeug.utils.secure_filename(t, t, t)
    ldap.filter.escape_filter_chars(t, t, t)
    ldap3.utils.conv.escape_filter_chars(t, t, t)
    x.startswith(t, t, t)
    x.isdigit(t, t, t)
    x.isalnum(t, t, t)
    re.fullmatch(t, t, t)
    django.utils.http.url_has_allowed_host_and_scheme(t, t, t)
    Crypto.Cipher.DES.new(t, t, t)
    Crypto.Cipher.DES3.new(t, t, t)
    Crypto.Cipher.ARC4.new(t, t, t)
    Crypto.Cipher.Blowfish.new(t, t, t)
    Crypto.Cipher.AES.new(t, t, t)
    cryptography.hazmat.primitives.ciphers.algorithms.TripleDES(t, t, t)
    cryptography.hazmat.primitives.ciphers.algorithms.ARC4(t, t, t)
    cryptography.hazmat.primitives.ciphers.modes.ECB(t, t, t)
    Crypto.Cipher.AES.new(t, t, t)
    cryptography.hazmat.primitives.ciphers.modes.CBC(t, t, t)
    cryptography.hazmat.primitives.asymmetric.rsa.generate_private_key(t, t, t)
    Crypto.PublicKey.RSA.generate(t, t, t)
    hmac.new(t, t, t)
    random.random(t, t, t)
    random.randint(t, t, t)
    random.choice(t, t, t)
    random.choices(t, t, t)
    random.getrandbits(t, t, t)
    ssl._create_unverified_context(t, t, t)
    f(verify=t)
    ssl.SSLContext(t, t, t)
    x.set_cookie(t, t, t)
    x.set_cookie(t, t, t)
    flask_cors.CORS(t, t, t)
    fastapi.FastAPI.add_middleware(t, t, t)
    jwt.decode(t, t, t)
    jwt.decode(t, t, t)
    jwt.decode(t, t, t)
    jose.jwt.decode(t, t, t)
    lxml.etree.XMLParser(t, t, t)
    langchain_community.tools.ShellTool(t, t, t)
    langchain_experimental.tools.PythonREPLTool(t, t, t)
    langchain_community.agent_toolkits.load_tools(t, t, t)
    langchain.agents.load_tools(t, t, t)
    langchain_community.agent_toolkits.FileManagementToolkit(t, t, t)


def with_request_10(request):
    pass

def with_request_17(request):
    pass

@langchain_core.tools.tool
def annotated_25(a):
    pass

@langchain.tools.tool
def annotated_26(a):
    pass


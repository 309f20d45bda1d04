"""The shop's web application: routes, with their helpers in repo.py and files.py."""
import logging
import os
import pickle
import subprocess

import requests
import yaml
from flask import Flask, abort, redirect, render_template_string, request, make_response
from lxml import etree
from markupsafe import escape

import files
import repo
from repo import find_by_name

app = Flask(__name__)  # want "SYS-AUDIT-001"
log = logging.getLogger(__name__)

DEBUG = False
ALLOWED_REPORTS = {"daily", "weekly"}
PARTNERS = ["https://partner.example.com", "https://backup.example.com"]


@app.route("/products")  # want "CODE-WEB-005"
def products():
    name = request.args.get("name", "")
    order = request.args.get("order", "name")
    rows = find_by_name(name)
    sorted_rows = repo.sorted_products(order)
    return {"rows": rows, "sorted": sorted_rows}


@app.route("/products/<int:pid>")
def product(pid):
    return repo.product(pid)


@app.route("/orders/<oid>")
def order(oid):
    return repo.order(oid)


@app.route("/search")
def search():
    words = request.args.getlist("w")
    clauses = []
    for w in words:
        clauses.append("title LIKE '%" + w + "%'")
    where = " OR ".join(clauses)
    return repo.raw_query("SELECT id FROM products WHERE " + where)


@app.route("/report")
def report():
    kind = request.args.get("kind")
    if kind not in ALLOWED_REPORTS:
        abort(400)
    out = subprocess.run("make-report " + kind, shell=True, capture_output=True)
    return out.stdout


@app.route("/convert", methods=["POST"])
def convert():
    src = request.form["file"]
    subprocess.run(["convert", "--", src, "out.png"])
    if DEBUG:
        os.system("convert " + src)
    cmd = "convert " + src + " out.png"
    os.system(cmd)  # want "CODE-INJ-002"
    return "ok"


@app.route("/download")
def download():
    return files.read_user_file(request.args["path"])


@app.route("/avatar/<user>")
def avatar(user):
    return files.avatar(user)


@app.route("/fetch", methods=["POST"])
def fetch():
    target = request.json.get("url")
    data = requests.get(target, timeout=5)  # want "CODE-INJ-004"
    item = request.json.get("item")
    for base in PARTNERS:
        requests.get(base + "/items/" + item, timeout=5)
    requests.get("https://api.example.com/items/" + item, timeout=5)
    return data.text


@app.route("/hello")
def hello():
    name = request.args.get("name", "world")
    greeting = "<h1>Hello " + name + "</h1>"
    resp = make_response(greeting)  # want "CODE-INJ-005"
    safe = make_response("<h1>Hello " + str(escape(name)) + "</h1>")
    return resp if name else safe


@app.route("/page")
def page():
    title = request.args.get("title", "")
    tpl = "<title>" + title + "</title>"
    return render_template_string(tpl)  # want "CODE-INJ-006"


@app.route("/page2")
def page2():
    return render_template_string("<title>{{ t }}</title>", t=request.args.get("title"))


@app.route("/go")
def go():
    nxt = request.args.get("next", "/")
    if request.args.get("local"):
        return redirect("/account/" + nxt)
    return redirect(nxt)  # want "CODE-INJ-009"


@app.route("/import", methods=["POST"])
def import_data():
    body = request.get_data()
    kind = request.args.get("kind")
    if kind == "yaml":
        return yaml.load(body)  # want "CODE-INJ-010"
    if kind == "safe":
        return yaml.safe_load(body)
    cached = pickle.loads(repo.cached_blob())
    return pickle.loads(body)  # want "CODE-INJ-010"


@app.route("/xml", methods=["POST"])
def xml():
    doc = etree.fromstring(request.data)  # want "CODE-INJ-011"
    parser = etree.XMLParser(resolve_entities=False)
    safe = etree.fromstring(request.data, parser)
    return str(len(doc)) + str(len(safe))


@app.route("/calc")
def calc():
    expr = request.args.get("expr")
    total = int(request.args.get("n", "0"))
    eval(str(total) + "+1")
    return str(eval(expr))  # want "CODE-INJ-012"


@app.route("/users/<uid>/name", methods=["POST"])
def rename(uid):
    name = request.form.get("name")
    name = "anonymous"
    repo.rename(uid, name)
    return "ok"


def is_safe_name(name):
    return name.isalnum()


@app.route("/theme")
def theme():
    t = request.args.get("t", "")
    if not is_safe_name(t):
        abort(400)
    with open("/srv/themes/" + t + ".css") as fh:  # want "CODE-INJ-003"
        return fh.read()


class Importer:
    def __init__(self, source):
        self.source = source

    def run(self):
        os.system("fetch " + self.source)


@app.route("/import2")
def import2():
    Importer(request.args["src"]).run()
    return "ok"

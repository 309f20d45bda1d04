from flask import Flask, make_response

app = Flask(__name__)


@app.route("/login", methods=["POST"])
def login():
    resp = make_response("ok")
    resp.set_cookie("session", "x")
    resp.set_cookie("theme", "dark", secure=False)
    return resp

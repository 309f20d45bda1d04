import jwt
from flask import Flask, request

app = Flask(__name__)


@app.route("/me")
def me():
    claims = jwt.decode(request.headers["Authorization"], "key")
    return claims

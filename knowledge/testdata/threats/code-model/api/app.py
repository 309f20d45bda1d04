"""The customers API: a search any visitor may run, and an account page behind a login."""
import os

import psycopg2
from flask import Flask, jsonify, request
from flask_login import login_required

app = Flask(__name__)
conn = psycopg2.connect(os.environ["DATABASE_URL"])


def find(name):
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM customers WHERE name = '" + name + "'")  # want "CODE-INJ-001"
        return cur.fetchall()


@app.get("/customers/search")  # want "CODE-WEB-005"
def search():
    return jsonify(find(request.args.get("name", "")))


@app.get("/account/<cid>")
@login_required
def account(cid):
    with conn.cursor() as cur:
        cur.execute("SELECT id, name FROM customers WHERE id = %s", (cid,))
        return jsonify(cur.fetchone())


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=8080)

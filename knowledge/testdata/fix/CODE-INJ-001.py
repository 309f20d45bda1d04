import sqlite3

from flask import Flask, request

app = Flask(__name__)
db = sqlite3.connect("shop.db")


@app.route("/products")
def products():
    name = request.args.get("name", "")
    return db.execute("SELECT id FROM products WHERE name = '" + name + "'").fetchall()


@app.route("/orders/<oid>")
def order(oid):
    return db.execute(f"SELECT * FROM orders WHERE id = {oid}").fetchone()

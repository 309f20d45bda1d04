"""Orders API: takes orders, stores them, reserves stock, charges cards."""
import os

from flask import Flask, jsonify, request
from flask_cors import CORS
from flask_login import login_required

from .auth import require_api_key
from .clients import reserve, charge, summarize
from . import db

app = Flask(__name__)  # want-element . component want-members python:orders dockerfile:orders/Dockerfile compose:compose.yaml/orders
CORS(app)  # want-attr . cors_any_origin=true(read)

@app.route("/health")  # want-element "entry/GET /health" entry want-attr . authenticates=false(defaulted)
def health():
    return jsonify(status="ok")

@app.route("/orders", methods=["POST"])  # want-element "entry/POST /orders" entry
@login_required  # want-attr "entry/POST /orders" authenticated=true(read)
def create_order():
    order = request.get_json()
    reserve(order["items"])
    charge(order["card"], order["total"])
    db.save(order)
    return jsonify(order), 201

@app.get("/orders/<order_id>")  # want-element "entry/GET /orders/<order_id>" entry
@require_api_key  # want-attr "entry/GET /orders/<order_id>" authenticated=true(read)
def get_order(order_id):
    return jsonify(db.load(order_id))

@app.post("/orders/<order_id>/summary")  # want-element "entry/POST /orders/<order_id>/summary" entry  # want "CODE-WEB-005"
def summary(order_id):
    return jsonify(text=summarize(db.load(order_id), request.json["question"]))

@app.get("/orders/search")  # want-element "entry/GET /orders/search" entry
def search_orders():
    status = request.args.get("status", "open")
    rows = db.by_status(status)
    return jsonify(db.search(request.args.get("q", "")) + rows)  # want-attr code/db.py/search/sql source="http"(read)

if __name__ == "__main__":
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))  # want-attr . config=["PORT","API_KEY","INVENTORY_URL","DATABASE_URL","REDIS_HOST"](read)

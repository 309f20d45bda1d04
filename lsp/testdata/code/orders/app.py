import os

import psycopg2
from flask import Flask

app = Flask(__name__)
db = psycopg2.connect(os.environ["DATABASE_URL"])


@app.post("/orders")
def create_order():
    return "", 201

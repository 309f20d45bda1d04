import os

import psycopg2
import redis

DATABASE_URL = os.environ["DATABASE_URL"]

conn = psycopg2.connect(DATABASE_URL)  # want-element flow/DATABASE_URL flow want-flow orders -> orders-db protocol="postgres"(read) tls=true(read)
cache = redis.Redis(host=os.getenv("REDIS_HOST", "localhost"), port=6379)  # want-element flow/REDIS_HOST flow want-flow orders -> cache


def save(order):
    with conn.cursor() as cur:
        cur.execute("INSERT INTO orders (id, body) VALUES (%s, %s)", (order["id"], order))
    cache.delete(order["id"])


def load(order_id):
    cached = cache.get(order_id)
    if cached:
        return cached
    with conn.cursor() as cur:
        cur.execute("SELECT body FROM orders WHERE id = %s", (order_id,))
        return cur.fetchone()


def search(term):
    with conn.cursor() as cur:
        cur.execute("SELECT body FROM orders WHERE note LIKE '%" + term + "%'")  # want-element code/db.py/search/sql control want-attr code/db.py/search/sql sink="sql"(read)  # want "CODE-INJ-001"
        return cur.fetchall()


def by_status(status):
    with conn.cursor() as cur:
        cur.execute("SELECT body FROM orders WHERE status = %s", (status,))
        return cur.fetchall()

"""Data access of the shop: every query the routes make."""
import sqlite3

db = sqlite3.connect("shop.db")
COLUMNS = {"name": "name", "price": "price"}


def find_by_name(name):
    cur = db.cursor()
    sql = "SELECT id, name FROM products WHERE name = '%s'" % name
    cur.execute(sql)  # vuln "CODE-INJ-001"
    return cur.fetchall()


def sorted_products(order):
    column = COLUMNS.get(order, "name")
    cur = db.cursor()
    if order not in COLUMNS:
        order = "name"
    cur.execute("SELECT id FROM products ORDER BY " + order)  # ok "CODE-INJ-001"
    return cur.fetchall()


def product(pid):
    cur = db.cursor()
    cur.execute("SELECT * FROM products WHERE id = " + str(pid))  # ok "CODE-INJ-001"
    return cur.fetchone()


def order(oid):
    cur = db.cursor()
    cur.execute("SELECT * FROM orders WHERE id = ?", (oid,))  # ok "CODE-INJ-001"
    return cur.fetchone()


def raw_query(sql):
    return db.execute(sql).fetchall()  # vuln "CODE-INJ-001"


def rename(uid, name):
    db.execute(f"UPDATE users SET name = '{name}' WHERE id = {int(uid)}")  # ok "CODE-INJ-001"


def cached_blob():
    return db.execute("SELECT blob FROM cache LIMIT 1").fetchone()[0]

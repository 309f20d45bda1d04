"""Worker: turns new orders into invoices, kept in the invoices bucket."""
import os

import boto3
import psycopg2

conn = psycopg2.connect(os.environ["DATABASE_URL"])
s3 = boto3.client("s3")


def invoice(order_id):
    with conn.cursor() as cur:
        cur.execute("SELECT customer, address, total FROM orders WHERE id = %s", (order_id,))
        customer, address, total = cur.fetchone()
    body = f"Invoice {order_id}\n{customer}\n{address}\nTotal: {total / 100:.2f}\n"
    s3.put_object(Bucket="shop-invoices", Key=f"{order_id}.txt", Body=body.encode())


if __name__ == "__main__":
    for line in iter(input, ""):
        invoice(line.strip())

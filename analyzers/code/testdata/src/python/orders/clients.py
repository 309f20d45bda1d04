import os

import requests as http
from openai import OpenAI

INVENTORY_URL = os.environ.get("INVENTORY_URL", "http://inventory:8080")
llm = OpenAI()


def reserve(items):
    return http.post(f"{INVENTORY_URL}/reservations", json={"items": items}, timeout=5)  # want-element flow/INVENTORY_URL flow want-flow orders -> inventory


def charge(card, total):
    # The payment provider's sandbox; see https://api.example.com/docs for the contract.
    return http.post("https://api.stripe.com/v1/charges", data={"card": card, "amount": total}, verify=False)  # want-element flow/api.stripe.com flow want-element actor:api.stripe.com actor want-flow orders -> api.stripe.com tls=true(read) tls_verify=false(read) want-element code/clients.py/charge/tls_verify_off control  # want "CODE-CRY-006"


def summarize(order, question):
    reply = llm.chat.completions.create(  # want-element flow/api.openai.com flow want-element actor:api.openai.com actor want-flow orders -> api.openai.com prompt=["\"You summarise orders.\"","question"](read) want-element code/clients.py/summarize/prompt control
        model="gpt-4o-mini",
        messages=[  # want "CODE-LLM-001"
            {"role": "system", "content": "You summarise orders."},
            {"role": "user", "content": question},
        ],
    )
    return reply.choices[0].message.content


class User:
    def get(self, key):
        return getattr(self, key)


def profile(user):
    return user.get("https://not-a-call.example.com")

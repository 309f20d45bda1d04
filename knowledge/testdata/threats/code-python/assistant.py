"""The shopping assistant: a model answers questions about orders."""
import os
import subprocess

from flask import request
from lxml import etree
from openai import OpenAI

from app import app
import repo

client = OpenAI()
SYSTEM = "You answer questions about the shop's orders."


@app.route("/assistant", methods=["POST"])
def assistant():
    question = request.json["question"]
    answer = client.chat.completions.create(  # want "SYS-FLOW-009"
        model="gpt-4o",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": "Answer: " + question}],  # want "CODE-LLM-001"
    )
    text = answer.choices[0].message.content
    subprocess.run(text, shell=True)  # want "CODE-LLM-002"
    fixed = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": "List the shop's opening hours."}],
    )
    return fixed.choices[0].message.content


def notify(customer):
    email = customer["email"]
    summary = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": f"Write a thank-you note for {email}"}],  # want "CODE-LLM-003"
    )
    plain = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "Write a thank-you note for a customer"}],
    )
    return summary, plain


@app.route("/catalog.xml")
def catalog():
    tree = etree.parse("catalog.xml")
    sku = request.args.get("sku")
    nodes = tree.xpath("//product[@sku='" + sku + "']")  # want "CODE-INJ-008"
    same = tree.xpath("//product[@sku=$sku]", sku=sku)
    return str(len(nodes) + len(same))

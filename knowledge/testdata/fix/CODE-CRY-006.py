import requests
from flask import Flask

app = Flask(__name__)


def prices():
    return requests.get("https://partner.example.com/prices", verify=False, timeout=5).json()

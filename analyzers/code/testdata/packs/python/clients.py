"""HTTP and gRPC clients: the corpus of the client packs."""
import ssl
import urllib.request

import aiohttp
import grpc
import httpx
import requests
import urllib3

session = requests.Session()
session.get("https://catalog.example.com/items")
requests.request("GET", "http://inventory:8080/stock")
httpx.get("https://rates.example.com/eur")
client = httpx.Client(verify=False)
client.get("http://inventory:8080/x")
async_client = httpx.AsyncClient()
urllib.request.urlopen("https://feeds.example.com/rss")
pool = urllib3.PoolManager()
pool.request("GET", "http://search:9200/_health")
ctx = ssl._create_unverified_context()


async def fetch():
    async with aiohttp.ClientSession() as http:
        await http.get("https://api.example.org/v1", ssl=False)
    await async_client.get("http://pricing:8080/prices")


orders = grpc.insecure_channel("orders:50051")
payments = grpc.secure_channel("payments.example.com:443", grpc.ssl_channel_credentials())
aio_orders = grpc.aio.insecure_channel("orders:50051")
aio_payments = grpc.aio.secure_channel("payments.example.com:443", grpc.ssl_channel_credentials())

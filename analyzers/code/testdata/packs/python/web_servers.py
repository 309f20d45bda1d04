"""aiohttp, uvicorn, gRPC and MCP servers: the corpus of the server packs."""
from concurrent import futures

import grpc
import uvicorn
from aiohttp import web
from mcp.server.fastmcp import FastMCP
from fastmcp import FastMCP as StandaloneMCP

import orders_pb2_grpc

routes = web.RouteTableDef()


@routes.get("/stock/{sku}")
async def stock(request):
    return web.json_response({})


async def health(request):
    return web.Response(text="ok")

aio = web.Application()
aio.router.add_get("/health", health)
aio.add_routes(routes)

mcp = FastMCP("orders")
tools = StandaloneMCP("tools")


@mcp.tool()
def lookup_order(order_id: str) -> str:
    return order_id


@tools.tool()
def refund(order_id: str) -> str:
    return order_id


@mcp.resource("orders://{order_id}")
def order_resource(order_id: str) -> str:
    return order_id


def serve_grpc():
    server = grpc.aio.server(futures.ThreadPoolExecutor())
    orders_pb2_grpc.add_OrdersServicer_to_server(None, server)


if __name__ == "__main__":
    web.run_app(aio)
    uvicorn.run("app:app", port=8000)

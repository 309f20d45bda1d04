from concurrent import futures

import grpc

import demo_pb2_grpc


class Catalog(demo_pb2_grpc.ProductCatalogServiceServicer):
    pass


server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))  # want-members python:src/productcatalogservice dockerfile:src/productcatalogservice/Dockerfile
demo_pb2_grpc.add_ProductCatalogServiceServicer_to_server(Catalog(), server)
server.add_insecure_port("[::]:3550")
server.start()

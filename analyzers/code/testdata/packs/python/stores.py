"""Database, cache, queue and cloud clients: the corpus of the store packs."""
import os

import aio_pika
import asyncpg
import boto3
import confluent_kafka
import elasticsearch
import kafka
import motor.motor_asyncio
import MySQLdb
import mysql.connector
import pika
import psycopg
import psycopg2.pool
import psycopg_pool
import pymongo
import pymysql
import redis
import redis.asyncio
import sqlalchemy
import sqlalchemy.ext.asyncio
from aiokafka import AIOKafkaProducer

psycopg2.pool.SimpleConnectionPool(1, 5, dsn=os.environ["DATABASE_URL"])
psycopg.connect("postgresql://app@orders-db:5432/orders")
psycopg_pool.ConnectionPool(os.environ["DATABASE_URL"])
pymysql.connect(host="mysql", port=3306)
mysql.connector.connect(host=os.environ["MYSQL_HOST"])
MySQLdb.connect(host="legacy-mysql")
sqlalchemy.create_engine("postgresql+psycopg2://app@reports-db/reports")
sqlalchemy.ext.asyncio.create_async_engine(os.environ["ASYNC_DATABASE_URL"])
pymongo.MongoClient("mongodb://catalog-mongo:27017")
motor.motor_asyncio.AsyncIOMotorClient(os.environ["MONGO_URL"])
redis.StrictRedis(host="sessions")
redis.from_url("redis://cache:6379/0")
redis.Redis.from_url(os.environ["REDIS_URL"])
redis.asyncio.Redis(host="cache")
redis.asyncio.from_url("rediss://cache.example.com:6380")
kafka.KafkaProducer(bootstrap_servers="kafka:9092")
kafka.KafkaConsumer("orders", bootstrap_servers=os.environ["KAFKA_BROKERS"])
confluent_kafka.Producer({"bootstrap.servers": "kafka:9092"})
confluent_kafka.Consumer({"bootstrap.servers": "kafka:9092", "group.id": "g"})
AIOKafkaProducer(bootstrap_servers="kafka:9092")
pika.BlockingConnection(pika.URLParameters("amqp://guest@rabbitmq:5672/"))
pika.ConnectionParameters(host="rabbitmq")
elasticsearch.Elasticsearch("http://search:9200")
s3 = boto3.client("s3")
s3.get_object(Bucket="reports", Key="a")
s3.put_object(Bucket="reports", Key="b", Body=b"")
s3.upload_file("a.csv", "reports", "a.csv")
s3.generate_presigned_url("get_object", Params={"Bucket": "reports", "Key": "a"})
sqs = boto3.client("sqs")
sqs.send_message(QueueUrl="https://sqs.eu-west-1.amazonaws.com/123456789012/orders", MessageBody="x")
sqs.receive_message(QueueUrl=os.environ["QUEUE_URL"])
boto3.client("sns").publish(TopicArn="order-events", Message="x")
boto3.client("secretsmanager").get_secret_value(SecretId="orders-db-password")
dynamo = boto3.resource("dynamodb")
dynamo.Table("sessions")
boto3.resource("s3").Bucket("uploads")


async def connect():
    await asyncpg.connect("postgresql://app@orders-db/orders")
    await asyncpg.create_pool(dsn=os.environ["DATABASE_URL"])
    await psycopg.AsyncConnection.connect(os.environ["DATABASE_URL"])
    await aio_pika.connect_robust("amqp://guest@rabbitmq/")

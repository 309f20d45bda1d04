package corpus

import (
	"context"
	"database/sql"
	"os"

	"github.com/IBM/sarama"
	shopifysarama "github.com/Shopify/sarama"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	redisv8 "github.com/go-redis/redis/v8"
	pgxv4 "github.com/jackc/pgx/v4"
	pgxpoolv4 "github.com/jackc/pgx/v4/pgxpool"
	"github.com/jackc/pgx/v5"
	"github.com/jmoiron/sqlx"
	amqp "github.com/rabbitmq/amqp091-go"
	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
	streadway "github.com/streadway/amqp"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
	mongov2 "go.mongodb.org/mongo-driver/v2/mongo"
	optionsv2 "go.mongodb.org/mongo-driver/v2/mongo/options"
	"gorm.io/driver/mysql"
	"gorm.io/driver/postgres"
	"gorm.io/driver/sqlserver"
	"gorm.io/gorm"
)

func stores(ctx context.Context) {
	sql.Open("mysql", "app:pw@tcp(orders-mysql:3306)/orders")
	sqlx.Open("postgres", os.Getenv("DATABASE_URL"))
	sqlx.Connect("pgx", "postgres://app@reports-db/reports")
	pgx.Connect(ctx, "postgres://app@orders-db/orders")
	pgxv4.Connect(ctx, os.Getenv("DATABASE_URL"))
	pgxpoolv4.Connect(ctx, os.Getenv("DATABASE_URL"))
	gorm.Open(postgres.Open(os.Getenv("DATABASE_URL")), &gorm.Config{})
	gorm.Open(mysql.Open("app:pw@tcp(mysql:3306)/app"), &gorm.Config{})
	gorm.Open(sqlserver.Open("sqlserver://app@mssql:1433?database=app"), &gorm.Config{})
	mongo.Connect(ctx, options.Client().ApplyURI("mongodb://catalog-mongo:27017"))
	mongov2.Connect(optionsv2.Client().ApplyURI(os.Getenv("MONGO_URL")))
	redis.ParseURL("redis://cache:6379/0")
	redis.NewClusterClient(&redis.ClusterOptions{Addrs: []string{"cache-0:6379"}})
	redisv8.NewClient(&redisv8.Options{Addr: "sessions:6379"})
	redisv8.ParseURL(os.Getenv("REDIS_URL"))
	_ = &kafka.Writer{Addr: kafka.TCP("kafka:9092")}
	kafka.NewReader(kafka.ReaderConfig{Brokers: []string{"kafka:9092"}})
	sarama.NewSyncProducer([]string{"kafka:9092"}, nil)
	shopifysarama.NewSyncProducer([]string{"kafka:9092"}, nil)
	amqp.Dial("amqp://guest@rabbitmq:5672/")
	streadway.Dial(os.Getenv("AMQP_URL"))

	cfg, _ := config.LoadDefaultConfig(ctx)
	files := s3.NewFromConfig(cfg)
	files.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("invoices")})
	files.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("invoices")})
	queue := sqs.NewFromConfig(cfg)
	queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(os.Getenv("QUEUE_URL"))})
	queue.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String("https://sqs.eu-west-1.amazonaws.com/1/orders")})
	table := dynamodb.NewFromConfig(cfg)
	table.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("sessions")})
	table.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("sessions")})
	secrets := secretsmanager.NewFromConfig(cfg)
	secrets.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("orders-db-password")})
}

using Amazon.S3.Model;
using Amazon.SQS.Model;
using Microsoft.Data.SqlClient;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using MySqlConnector;
using Npgsql;
using StackExchange.Redis;

namespace Corpus;

public class Stores(IConfiguration configuration)
{
    public async Task Run(DbContextOptionsBuilder o)
    {
        new NpgsqlConnection(configuration.GetConnectionString("Orders"));
        NpgsqlDataSource.Create("Host=reports-db;Database=reports");
        new SqlConnection("Server=tcp:sql.example.net,1433;Database=x;Encrypt=True");
        new System.Data.SqlClient.SqlConnection("Server=legacy-sql;Database=x");
        new MySqlConnection("Server=mysql;Database=app");
        o.UseSqlServer("Server=sql;Database=app");
        o.UseMySql("Server=mysql;Database=app", null);
        o.UseSqlite("Data Source=app.db");
        await ConnectionMultiplexer.ConnectAsync("cache:6379");
        new MongoClient("mongodb://catalog-mongo:27017");
        var put = new PutObjectRequest { BucketName = "invoices", Key = "a" };
        var send = new SendMessageRequest { QueueUrl = "https://sqs.eu-west-1.amazonaws.com/1/orders" };
    }
}

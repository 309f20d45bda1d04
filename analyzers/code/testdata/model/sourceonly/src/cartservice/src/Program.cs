using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args);
var redis = ConnectionMultiplexer.Connect(Environment.GetEnvironmentVariable("REDIS_ADDR")); // want-flow csharp:src/cartservice -> "redis (REDIS_ADDR)"
var app = builder.Build();
app.MapGrpcService<CartService>();
app.Run();

using Cart.Services;
using Microsoft.EntityFrameworkCore;
using StackExchange.Redis;

var builder = WebApplication.CreateBuilder(args); // want-element . component want-members csharp:Cart appconfig:Cart dockerfile:Cart/Dockerfile compose:compose.yaml/cart

builder.Services.AddDbContext<CartDb>(o => o.UseNpgsql(builder.Configuration.GetConnectionString("Carts"))); // want-element flow/ConnectionStrings:Carts flow want-flow csharp:Cart -> carts-db tls=true(read)
builder.Services.AddSingleton<IConnectionMultiplexer>(ConnectionMultiplexer.Connect(builder.Configuration["Redis:Configuration"]!)); // want-element "flow/Redis:Configuration" flow want-flow csharp:Cart -> cache
builder.Services.AddHttpClient<CatalogClient>(c => c.BaseAddress = new Uri(builder.Configuration["Services:Catalog"]!)); // want-element "flow/Services:Catalog" flow want-flow csharp:Cart -> catalog
builder.Services.AddCors(o => o.AddDefaultPolicy(p => p.AllowAnyOrigin())); // want-attr . cors_any_origin=true(read)
builder.Services.AddControllers();

var app = builder.Build();
app.UseCors();

var carts = app.MapGroup("/api/carts");
carts.MapGet("/{id}", async (string id, CartDb db) => await db.Carts.FindAsync(id)).RequireAuthorization(); // want-element "entry/GET /api/carts/{id}" entry want-attr "entry/GET /api/carts/{id}" authenticated=true(read)
carts.MapPost("/{id}/items", async (string id, Item item, CatalogClient catalog) => await catalog.PriceAsync(item.Sku)); // want-element "entry/POST /api/carts/{id}/items" entry want-attr "entry/POST /api/carts/{id}/items" authenticated=false(defaulted)
app.MapGet("/healthz", () => "ok").AllowAnonymous(); // want-element "entry/GET /healthz" entry want-attr "entry/GET /healthz" authenticated=false(read)
app.MapControllers();

app.Run();

public record Item(string Sku, int Quantity);

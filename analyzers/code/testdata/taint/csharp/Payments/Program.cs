using Microsoft.Data.SqlClient;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddControllers();
builder.Services.AddCors(o => o.AddPolicy("open", p => p.SetIsOriginAllowed(_ => true).AllowCredentials())); // vuln "CODE-WEB-002"
builder.Services.AddCors(o => o.AddPolicy("strict", p => p.WithOrigins("https://shop.example.com").AllowCredentials())); // ok "CODE-WEB-002"
var app = builder.Build();
app.MapControllers();

app.MapGet("/receipts/{id:int}", (int id) => Results.Ok(id));
app.MapGet("/go", (string next) => Results.Redirect(next)); // vuln "CODE-INJ-009"
app.MapGet("/lookup", (string account, IConfiguration config) =>
{
    using var conn = new SqlConnection(config.GetConnectionString("Payments"));
    var cmd = new SqlCommand("SELECT * FROM accounts WHERE id = '" + account + "'", conn); // vuln "CODE-INJ-001"
    var safe = new SqlCommand("SELECT * FROM accounts WHERE id = @id", conn); // ok "CODE-INJ-001"
    safe.Parameters.AddWithValue("@id", account);
    return Results.Ok(cmd.ExecuteScalar());
});

app.Run();

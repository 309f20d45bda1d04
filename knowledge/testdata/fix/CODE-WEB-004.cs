using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateBuilder(args);
var parameters = new TokenValidationParameters
{
    RequireSignedTokens = false,
    ValidateIssuer = true,
};
var app = builder.Build();
app.Run();

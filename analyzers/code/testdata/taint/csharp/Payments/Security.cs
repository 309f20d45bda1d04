using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace Payments;

public class Security
{
    private const string ConnectionString = "Server=db;User Id=sa;Password=Pa55w0rd!2024;"; // vuln "CODE-SEC-001"
    private static readonly string apiSecret = "hV3#kQ9!mZ2xR7pL4wT"; // vuln "CODE-SEC-002"
    private readonly ILogger<Security> _logger;

    public Security(ILogger<Security> logger)
    {
        _logger = logger;
    }

    public byte[] HashPassword(string password)
    {
        _logger.LogInformation("hashing the password of a user"); // ok "CODE-SEC-003"
        _logger.LogDebug("password {Password}", password); // vuln "CODE-SEC-003"
        return MD5.HashData(Encoding.UTF8.GetBytes(password)); // vuln "CODE-CRY-001"
    }

    public byte[] Checksum(byte[] body)
    {
        return SHA1.HashData(body); // ok "CODE-CRY-001"
    }

    public void Crypto(byte[] key)
    {
        var des = DES.Create(); // vuln "CODE-CRY-003"
        var aes = Aes.Create();
        aes.Mode = CipherMode.ECB; // vuln "CODE-CRY-003"
        aes.IV = new byte[16]; // vuln "CODE-CRY-004"
        var rsa = new RSACryptoServiceProvider(1024); // vuln "CODE-CRY-008"
        var good = RSA.Create(3072); // ok "CODE-CRY-008"
        var mac = new HMACSHA1(key); // vuln "CODE-CRY-002"
        var strong = new HMACSHA256(key); // ok "CODE-CRY-002"
    }

    public string NewToken()
    {
        var token = new Random().Next().ToString("x"); // vuln "CODE-CRY-005"
        return token;
    }

    public HttpClientHandler Handler()
    {
        return new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (m, c, ch, e) => true, // vuln "CODE-CRY-006"
            SslProtocols = SslProtocols.Tls11, // vuln "CODE-CRY-007"
        };
    }

    public CookieOptions Cookie()
    {
        var weak = new CookieOptions { HttpOnly = true }; // vuln "CODE-WEB-001"
        var strong = new CookieOptions { HttpOnly = true, Secure = true }; // ok "CODE-WEB-001"
        return weak;
    }

    public TokenValidationParameters Jwt()
    {
        return new TokenValidationParameters
        {
            RequireSignedTokens = false, // vuln "CODE-WEB-004"
            ValidateIssuer = true,
        };
    }
}

using System.Net.Http.Json;

namespace Cart.Services;

public class CatalogClient(HttpClient http)
{
    public async Task<decimal> PriceAsync(string sku)
    {
        var price = await http.GetFromJsonAsync<decimal>($"/prices/{sku}");
        return price;
    }

    // See https://learn.microsoft.com/aspnet for why this is wrong: it trusts every certificate.
    public static HttpClient Insecure() => new(new HttpClientHandler
    {
        ServerCertificateCustomValidationCallback = (message, cert, chain, errors) => true, // want-attr . tls_verify=false(read) want-element code/Services/CatalogClient.cs/tls_verify_off control  // want "CODE-CRY-006"
    });
}

using Azure.AI.OpenAI;
using Grpc.Net.Client;
using OpenAI.Chat;

namespace Corpus;

public class Clients(HttpClient http, IConfiguration configuration)
{
    public async Task Run(ChatClient chat)
    {
        await http.GetAsync("https://rates.example.com/eur");
        await http.SendAsync(new HttpRequestMessage(HttpMethod.Post, "http://ledger:8080/entries"));
        GrpcChannel.ForAddress(configuration["Services:Orders"]);
        var endpoint = configuration.GetValue<string>("AzureOpenAI:Endpoint");
        new AzureOpenAIClient(new Uri("https://shop.openai.azure.com"), null);
        await chat.CompleteChatAsync("Summarise the order");
        chat.CompleteChat("Summarise the order");
    }
}

package corpus;

import java.net.URI;
import java.net.http.HttpRequest;
import java.sql.DriverManager;
import javax.net.ssl.HttpsURLConnection;

import io.grpc.ManagedChannelBuilder;
import okhttp3.Request;
import org.springframework.cloud.openfeign.FeignClient;
import org.springframework.core.env.Environment;
import org.springframework.web.client.RestClient;
import org.springframework.web.reactive.function.client.WebClient;

@FeignClient(name = "ledger", url = "${ledger.url}")
interface LedgerClient {}

class Clients {
    void all(Environment env) throws Exception {
        WebClient.create("http://catalog:8080");
        WebClient.builder().baseUrl(env.getProperty("pricing.url")).build();
        RestClient.create("https://rates.example.com");
        HttpRequest.newBuilder(URI.create("https://api.example.org/v1")).build();
        HttpRequest.newBuilder().uri(URI.create(System.getenv("AUDIT_URL"))).build();
        new Request.Builder().url("http://inventory:8080/stock").build();
        ManagedChannelBuilder.forTarget("orders:50051").usePlaintext().build();
        ManagedChannelBuilder.forAddress("payments", 50051).usePlaintext().build();
        HttpsURLConnection.setDefaultHostnameVerifier((host, session) -> true);
        DriverManager.getConnection("jdbc:postgresql://reports-db:5432/reports", "app", System.getProperty("db.password", ""));
    }
}

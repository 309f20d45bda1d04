package corpus;

import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.azure.AzureOpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import org.springframework.data.mongodb.repository.MongoRepository;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.repository.CrudRepository;
import org.springframework.kafka.core.KafkaTemplate;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

interface Reviews extends CrudRepository<Object, Long> {}

interface Carts extends MongoRepository<Object, String> {}

class Stores {
    private final StringRedisTemplate redis = new StringRedisTemplate();
    private final KafkaTemplate<String, String> kafka;

    Stores(KafkaTemplate<String, String> kafka) { this.kafka = kafka; }

    void all() {
        kafka.send("orders", "x");
        PutObjectRequest.builder().bucket("invoices").key("a").build();
        GetObjectRequest.builder().bucket("invoices").key("a").build();
        SendMessageRequest.builder().queueUrl("https://sqs.eu-west-1.amazonaws.com/1/orders").build();
        OpenAiChatModel.builder().apiKey("k").build();
        AnthropicChatModel.builder().apiKey("k").build();
        AzureOpenAiChatModel.builder().endpoint("https://shop.openai.azure.com").build();
        OpenAIOkHttpClient.fromEnv();
    }
}

package com.shop.inventory;

import java.security.cert.X509Certificate;
import javax.net.ssl.X509TrustManager;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestTemplate;

@Component
public class PricingClient {
    private final RestTemplate rest = new RestTemplate();

    @Value("${pricing.url}")
    private String pricingUrl;

    long priceOf(String sku) {
        Long p = rest.getForObject(pricingUrl + "/prices/" + sku, Long.class); // want-element flow/pricing.url flow want-flow java:inventory -> Deployment/pricing
        return p == null ? 0 : p;
    }

    /** Trusts every certificate: see https://example.com/why-not for why this is wrong. */
    static class TrustAll implements X509TrustManager { // want-attr . custom_cert_validation=true(read)
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException();
        }

        public void checkServerTrusted(X509Certificate[] chain, String authType) {} // want-attr . tls_verify=false(read) want-element code/src/main/java/com/shop/inventory/PricingClient.java/tls_verify_off control  // want "CODE-CRY-006"

        public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }
}

package com.shop.billing;

public class WebhookRequest {
    private String callback;
    private String id;

    public String getCallback() {
        return callback;
    }

    public String getId() {
        return id;
    }
}

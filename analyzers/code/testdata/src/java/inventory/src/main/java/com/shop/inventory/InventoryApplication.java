package com.shop.inventory;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

@SpringBootApplication // want-element . component want-members java:inventory appconfig:inventory dockerfile:inventory/Dockerfile kubernetes:shop/Deployment/inventory
public class InventoryApplication {
    public static void main(String[] args) {
        SpringApplication.run(InventoryApplication.class, args);
    }
}

package com.shop.inventory;

import org.springframework.data.jpa.repository.JpaRepository;

public interface StockRepository extends JpaRepository<Stock, Long> { // want-element flow/spring.datasource.url flow want-flow java:inventory -> StatefulSet/inventory-db protocol="postgres"(read)
    Stock findBySku(String sku);

    void deleteBySku(String sku);
}

package com.shop.inventory;

public record Stock(String sku, int available, long price) {
    Stock withPrice(long p) { return new Stock(sku, available, p); }

    Stock reserve(int n) { return new Stock(sku, available - n, price); }
}

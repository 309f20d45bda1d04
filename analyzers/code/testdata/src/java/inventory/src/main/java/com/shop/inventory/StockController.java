package com.shop.inventory;

import java.util.Map;

import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.*;

@RestController
@RequestMapping("/api/stock")
@CrossOrigin // want-attr . cors_any_origin=true(read)
public class StockController {
    private final StockRepository stock;
    private final PricingClient pricing;
    private final Map<String, Integer> reserved = new java.util.HashMap<>();

    StockController(StockRepository stock, PricingClient pricing) {
        this.stock = stock;
        this.pricing = pricing;
    }

    @GetMapping("/{sku}") // want-element "entry/GET /api/stock/{sku}" entry
    public Stock get(@PathVariable String sku) {
        reserved.get(sku); // a map, not a client
        return stock.findBySku(sku).withPrice(pricing.priceOf(sku));
    }

    @PostMapping("/{sku}/reservations") // want-element "entry/POST /api/stock/{sku}/reservations" entry
    @PreAuthorize("hasRole('ORDERS')") // want-attr "entry/POST /api/stock/{sku}/reservations" authenticated=true(read)
    public Stock reserve(@PathVariable String sku, @RequestBody int quantity) {
        return stock.save(stock.findBySku(sku).reserve(quantity));
    }

    @RequestMapping(value = "/{sku}", method = RequestMethod.DELETE) // want-element "entry/DELETE /api/stock/{sku}" entry
    public void remove(@PathVariable String sku) {
        stock.deleteBySku(sku);
    }
}

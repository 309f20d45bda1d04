package com.shop.billing;

public class Invoice {
    public Long id;
    public String customer;
}

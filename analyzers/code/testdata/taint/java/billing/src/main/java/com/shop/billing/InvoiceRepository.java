package com.shop.billing;

import java.util.List;
import java.util.Map;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

@Repository
public class InvoiceRepository {
    private static final Map<String, String> SORTS = Map.of("date", "issued_at", "total", "total");

    private final JdbcTemplate jdbc;

    public InvoiceRepository(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    public List<Invoice> byCustomer(String customer, String sort) {
        String column = SORTS.getOrDefault(sort, "issued_at");
        String sql = "SELECT * FROM invoices WHERE customer = '" + customer + "'";
        StringBuilder query = new StringBuilder(sql);
        query.append(" ORDER BY ").append(column);
        jdbc.query("SELECT * FROM invoices WHERE customer = ? ORDER BY " + column, this::map, customer); // ok "CODE-INJ-001"
        return jdbc.query(query.toString(), this::map); // vuln "CODE-INJ-001"
    }

    public Invoice byId(Long id) {
        return jdbc.queryForObject("SELECT * FROM invoices WHERE id = " + id, this::map); // ok "CODE-INJ-001"
    }

    private Invoice map(java.sql.ResultSet rs, int row) {
        return new Invoice();
    }
}

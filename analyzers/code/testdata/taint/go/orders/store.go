package main

import (
	"database/sql"
	"fmt"
)

// Store reads and writes orders.
type Store struct {
	db *sql.DB
}

// Order is one order.
type Order struct {
	ID       int
	Customer string
}

// ByCustomer lists a customer's orders, of a status when one is given.
func (s *Store) ByCustomer(customer, status string) ([]Order, error) {
	q := "SELECT id, customer FROM orders WHERE customer = '" + customer + "'"
	rows, err := s.db.Query(q) // vuln "CODE-INJ-001"
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if status != "" {
		rows2, err := s.db.Query("SELECT id FROM orders WHERE customer = $1 AND status = $2", customer, status) // ok "CODE-INJ-001"
		if err == nil {
			rows2.Close()
		}
	}
	return scan(rows)
}

// ByID returns one order.
func (s *Store) ByID(id int) (Order, error) {
	var o Order
	err := s.db.QueryRow(fmt.Sprintf("SELECT id, customer FROM orders WHERE id = %d", id)).Scan(&o.ID, &o.Customer) // ok "CODE-INJ-001"
	return o, err
}

// Raw runs a query written by the caller.
func (s *Store) Raw(query string) ([]Order, error) {
	rows, err := s.db.Query(query) // vuln "CODE-INJ-001" (reached from search; report's call through an interface is not followed)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scan(rows)
}

func scan(rows *sql.Rows) ([]Order, error) {
	var out []Order
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.ID, &o.Customer); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

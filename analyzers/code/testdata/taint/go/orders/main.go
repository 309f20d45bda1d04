// Command orders serves the orders API.
package main

import (
	"database/sql"
	"log"
	"net/http"
	"os"

	_ "github.com/lib/pq"
)

func main() {
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	s := &Server{store: &Store{db: db}, files: "/srv/invoices"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /orders", s.listOrders)
	mux.HandleFunc("GET /orders/{id}", s.getOrder)
	mux.HandleFunc("POST /orders/search", s.search)
	mux.HandleFunc("GET /invoices", s.invoice)
	mux.HandleFunc("POST /export", s.export)
	mux.HandleFunc("GET /hello", s.hello)
	mux.HandleFunc("GET /callback", s.callback)
	mux.HandleFunc("POST /webhook", s.webhook)
	mux.HandleFunc("GET /report", s.report)
	mux.HandleFunc("GET /theme", s.theme)
	log.Fatal(http.ListenAndServe(":8080", mux))
}

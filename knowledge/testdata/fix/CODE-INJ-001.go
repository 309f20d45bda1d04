package main

import (
	"database/sql"
	"net/http"
	"os"

	_ "github.com/lib/pq"
)

var db *sql.DB

func search(w http.ResponseWriter, r *http.Request) {
	rows, err := db.Query("SELECT id FROM orders WHERE customer = '" + r.FormValue("customer") + "'")
	if err == nil {
		rows.Close()
	}
}

func main() {
	db, _ = sql.Open("postgres", os.Getenv("DATABASE_URL"))
	http.HandleFunc("/search", search)
	http.ListenAndServe(":8080", nil)
}

// Command api and command worker share a module: two services, each with the package they
// import.
package main

import (
	"net/http"

	"example.com/mono/internal/db"
)

func main() {
	db.Open()
	http.HandleFunc("/orders", nil)   // want-element "entry/* /orders" entry
	http.ListenAndServe(":8080", nil) // want-element . component
}

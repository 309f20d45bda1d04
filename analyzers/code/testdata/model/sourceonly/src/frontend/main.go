package main

import (
	"net/http"
	"os"

	"github.com/gorilla/mux"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

func dial(addr string) *grpc.ClientConn {
	conn, _ := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials())) // want-flow go:src/frontend -> python:src/productcatalogservice tentative=true(defaulted) protocol="grpc"(read) tls=false(read) want-flow go:src/frontend -> javascript:src/currencyservice tentative=true(defaulted) want-flow go:src/frontend -> csharp:src/cartservice tentative=true(defaulted)
	return conn
}

func main() {
	catalog := dial(os.Getenv("PRODUCT_CATALOG_SERVICE_ADDR"))
	currency := dial(os.Getenv("CURRENCY_SERVICE_ADDR"))
	cart := dial(os.Getenv("CART_SERVICE_ADDR"))
	_, _, _ = catalog, currency, cart
	r := mux.NewRouter()
	r.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {})
	http.ListenAndServe(":8080", r)
}

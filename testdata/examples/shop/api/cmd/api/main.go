// Command api serves the orders API: the web frontend posts orders here.
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/jwtauth/v5"

	"github.com/shop/api/internal/orders"
)

func main() {
	svc, err := orders.New(os.Getenv("DATABASE_URL"), os.Getenv("REDIS_URL"))
	if err != nil {
		log.Fatal(err)
	}
	tokens := jwtauth.New("HS256", []byte(os.Getenv("JWT_SECRET")), nil)

	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) })
	r.Post("/orders", svc.Create)
	r.Group(func(r chi.Router) {
		r.Use(jwtauth.Verifier(tokens), jwtauth.Authenticator(tokens))
		r.Get("/orders/{id}", svc.Get)
	})
	log.Fatal(http.ListenAndServe(":8080", r))
}

package main

import (
	"net/http"

	"github.com/golang-jwt/jwt/v5"
)

func me(w http.ResponseWriter, r *http.Request) {
	token, err := jwt.Parse(r.Header.Get("Authorization"), func(t *jwt.Token) (any, error) { return []byte("key"), nil })
	_, _ = token, err
}

func main() {
	http.HandleFunc("/me", me)
	http.ListenAndServe(":8080", nil)
}

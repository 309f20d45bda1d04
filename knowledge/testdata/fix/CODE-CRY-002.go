package main

import (
	"crypto/hmac"
	"crypto/sha1"
	"net/http"
)

func sign(key, body []byte) []byte {
	mac := hmac.New(sha1.New, key)
	mac.Write(body)
	return mac.Sum(nil)
}

func main() {
	http.ListenAndServe(":8080", nil)
}

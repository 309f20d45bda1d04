package main

import (
	"crypto/tls"
	"net/http"
)

var server = &http.Server{Addr: ":8443", TLSConfig: &tls.Config{
	MinVersion: tls.VersionTLS10,
}}

func main() {
	server.ListenAndServeTLS("cert.pem", "key.pem")
}

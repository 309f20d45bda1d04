package main

import "net/http"

func login(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: "session", Value: "x", HttpOnly: true})
	http.SetCookie(w, &http.Cookie{
		Name:  "theme",
		Value: "dark",
	})
}

func main() {
	http.HandleFunc("/login", login)
	http.ListenAndServe(":8080", nil)
}

package main

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// Server handles the API's routes.
type Server struct {
	store *Store
	files string
}

var allowedFormats = map[string]bool{"csv": true, "pdf": true}

func (s *Server) listOrders(w http.ResponseWriter, r *http.Request) {
	customer := r.URL.Query().Get("customer")
	status := r.URL.Query().Get("status")
	orders, err := s.store.ByCustomer(customer, status)
	if err != nil {
		http.Error(w, "error", http.StatusInternalServerError)
		return
	}
	json.NewEncoder(w).Encode(orders)
}

func (s *Server) getOrder(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil {
		http.Error(w, "bad id", http.StatusBadRequest)
		return
	}
	o, _ := s.store.ByID(id)
	json.NewEncoder(w).Encode(o)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Terms []string `json:"terms"`
		Sort  string   `json:"sort"`
	}
	json.NewDecoder(r.Body).Decode(&req)
	var conds []string
	for _, t := range req.Terms {
		conds = append(conds, "note LIKE '%"+t+"%'")
	}
	rows, _ := s.store.Raw("SELECT id FROM orders WHERE " + strings.Join(conds, " OR "))
	json.NewEncoder(w).Encode(rows)
}

func (s *Server) invoice(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("file")
	full := filepath.Join(s.files, filepath.Clean("/"+name))
	if !strings.HasPrefix(full, s.files+"/") {
		http.Error(w, "bad path", http.StatusBadRequest)
		return
	}
	data, _ := os.ReadFile(full)                   // ok "CODE-INJ-003"
	w.Write(data)                                  // ok "CODE-INJ-005"
	legacy, _ := os.ReadFile(s.files + "/" + name) // vuln "CODE-INJ-003"
	w.Write(legacy)
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	format := r.FormValue("format")
	id := r.FormValue("id")
	if !allowedFormats[format] {
		http.Error(w, "bad format", http.StatusBadRequest)
		return
	}
	exec.Command("export-tool", "--format", format).Run()              // ok "CODE-INJ-002"
	exec.Command("sh", "-c", "export-tool --order "+id).Run()          // vuln "CODE-INJ-002"
	exec.Command("export-tool", "--order", strconv.Quote(id)).Output() // ok "CODE-INJ-002"
}

func (s *Server) hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	fmt.Fprintf(w, "<p>Hello %s</p>", name)                    // vuln "CODE-INJ-005"
	fmt.Fprintf(w, "<p>Hello %s</p>", html.EscapeString(name)) // ok "CODE-INJ-005"
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if next == "" {
		next = "/"
	}
	http.Redirect(w, r, "/orders/"+next, http.StatusFound) // ok "CODE-INJ-009"
	http.Redirect(w, r, next, http.StatusFound)            // vuln "CODE-INJ-009"
}

func (s *Server) webhook(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Callback")
	resp, err := http.Get(target) // vuln "CODE-INJ-004"
	if err == nil {
		resp.Body.Close()
	}
	order := r.FormValue("order")
	resp2, err := http.Get("https://billing.internal.example.com/orders/" + order) // ok "CODE-INJ-004"
	if err == nil {
		resp2.Body.Close()
	}
}

// Querier runs queries; the store is one.
type Querier interface {
	Raw(query string) ([]Order, error)
}

func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	var q Querier = s.store
	q.Raw("SELECT id FROM orders WHERE region = '" + r.FormValue("region") + "'")
}

func validName(s string) bool {
	for _, c := range s {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func (s *Server) theme(w http.ResponseWriter, r *http.Request) {
	t := r.FormValue("theme")
	if !validName(t) {
		http.Error(w, "bad theme", http.StatusBadRequest)
		return
	}
	data, _ := os.ReadFile("/srv/themes/" + t + ".css") // ok "CODE-INJ-003"
	w.Write(data)
}

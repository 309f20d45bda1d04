// Package corpus exercises the rows of the Go web packs.
package corpus

import (
	"crypto/tls"
	"net/http"

	gincors "github.com/gin-contrib/cors"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	chicors "github.com/go-chi/cors"
	"github.com/go-chi/jwtauth/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/mux"
	echojwt "github.com/labstack/echo-jwt/v4"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/mark3labs/mcp-go/server"
	"github.com/rs/cors"
	"google.golang.org/grpc"

	"github.com/shop/api/pb"
)

func netHTTP() {
	http.HandleFunc("/health", health)
	http.Handle("/metrics", nil)
	m := http.NewServeMux()
	m.HandleFunc("GET /orders/{id}", health)
	m.Handle("/static/", http.FileServer(http.Dir("static")))
	srv := &http.Server{Addr: ":8443", Handler: m, TLSConfig: &tls.Config{MinVersion: tls.VersionTLS12}}
	go srv.ListenAndServe()
	go srv.ListenAndServeTLS("cert.pem", "key.pem")
	http.ListenAndServeTLS(":443", "cert.pem", "key.pem", m)
	http.ListenAndServe(":8080", cors.AllowAll().Handler(m))
	_ = cors.New(cors.Options{AllowedOrigins: []string{"*"}})
}

func health(w http.ResponseWriter, r *http.Request) {}

func ginRoutes() {
	r := gin.New()
	r.Use(gincors.Default())
	_ = gincors.New(gincors.Config{AllowAllOrigins: true})
	admin := r.Group("/admin")
	users := admin.Group("/users")
	users.Use(gin.BasicAuth(gin.Accounts{"admin": "secret"}))
	users.GET("/:id", func(c *gin.Context) {})
}

func echoRoutes() {
	e := echo.New()
	e.Use(middleware.CORS())
	e.GET("/health", func(c echo.Context) error { return nil })
	g := e.Group("/api")
	g.Use(middleware.JWT([]byte("k")))
	g.Use(middleware.JWTWithConfig(middleware.JWTConfig{}))
	g.Use(middleware.BasicAuth(nil))
	g.Use(echojwt.WithConfig(echojwt.Config{}))
	g.GET("/orders", func(c echo.Context) error { return nil })
}

func chiRoutes() {
	r := chi.NewRouter()
	r.Use(chicors.Handler(chicors.Options{AllowedOrigins: []string{"*"}}))
	r.Get("/health", health)
	r.HandleFunc("/legacy", health)
	r.Group(func(r chi.Router) {
		tokens := jwtauth.New("HS256", nil, nil)
		r.Use(jwtauth.Verifier(tokens))
		r.Use(jwtauth.Authenticator(tokens))
		r.Get("/orders", health)
	})
}

func gorillaRoutes() {
	r := mux.NewRouter()
	r.Use(loggingMiddleware)
	r.Handle("/assets", http.FileServer(http.Dir(".")))
}

func loggingMiddleware(next http.Handler) http.Handler { return next }

func fiberRoutes() {
	app := fiber.New()
	app.Use(func(c *fiber.Ctx) error { return c.Next() })
	app.Get("/health", func(c *fiber.Ctx) error { return nil })
	api := app.Group("/api")
	api.Get("/orders", func(c *fiber.Ctx) error { return nil })
}

func grpcServer() {
	s := grpc.NewServer()
	pb.RegisterOrdersServer(s, nil)
}

func mcpServer() {
	s := server.NewMCPServer("orders", "1.0.0")
	s.AddTool(lookupTool, lookup)
}

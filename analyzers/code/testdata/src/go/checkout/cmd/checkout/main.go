// Command checkout serves the checkout API: carts become orders, paid through the payment
// service.
package main

import (
	"log"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"

	"github.com/shop/checkout/internal/auth"
	"github.com/shop/checkout/internal/clients"
	"github.com/shop/checkout/internal/store"
)

func main() {
	db, err := store.Open(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	pay := clients.NewPayments(os.Getenv("PAYMENT_SERVICE_ADDR"))

	r := gin.Default()                                                        // want-element . component want-members go:checkout dockerfile:checkout/Dockerfile kubernetes:shop/Deployment/checkout
	r.GET("/healthz", func(c *gin.Context) { c.String(http.StatusOK, "ok") }) // want-element "entry/GET /healthz" entry want-attr "entry/GET /healthz" authenticated=false(defaulted)

	api := r.Group("/api/v1")
	api.Use(auth.RequireToken(os.Getenv("JWT_ISSUER"))) // want-attr "entry/GET /api/v1/orders/:id" authenticated=true(read)
	api.POST("/checkout", checkout(db, pay))            // want-element "entry/POST /api/v1/checkout" entry want-attr "entry/POST /api/v1/checkout" path="/api/v1/checkout"(read)
	api.GET("/orders/:id", order(db))                   // want-element "entry/GET /api/v1/orders/:id" entry

	if err := r.Run(":8080"); err != nil {
		log.Fatal(err)
	}
}

func checkout(db *store.Store, pay *clients.Payments) gin.HandlerFunc {
	return func(c *gin.Context) {
		var cart store.Cart
		if err := c.BindJSON(&cart); err != nil {
			return
		}
		if err := pay.Charge(c, cart.Total); err != nil {
			c.AbortWithStatus(http.StatusPaymentRequired)
			return
		}
		c.JSON(http.StatusCreated, db.Save(c, cart))
	}
}

func order(db *store.Store) gin.HandlerFunc {
	return func(c *gin.Context) { c.JSON(http.StatusOK, db.Load(c, c.Param("id"))) }
}

// Package auth checks the bearer tokens of API calls.
package auth

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
)

// RequireToken rejects requests without a bearer token issued by issuer.
func RequireToken(issuer string) gin.HandlerFunc {
	return func(c *gin.Context) {
		if !strings.HasPrefix(c.GetHeader("Authorization"), "Bearer ") {
			c.AbortWithStatus(http.StatusUnauthorized)
		}
	}
}

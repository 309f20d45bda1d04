module github.com/shop/api

go 1.26

require (
	github.com/aws/aws-sdk-go-v2 v1.30.3
	github.com/go-chi/chi/v5 v5.1.0
	github.com/go-chi/jwtauth/v5 v5.3.1
	github.com/lib/pq v1.10.9
	github.com/redis/go-redis/v9 v9.6.1
)

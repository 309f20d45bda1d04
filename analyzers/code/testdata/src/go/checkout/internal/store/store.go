// Package store keeps orders in Postgres and carts in Redis.
package store

import (
	"context"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

type Cart struct {
	ID    string
	Total int64
}

type Store struct {
	db    *pgxpool.Pool
	cache *redis.Client
}

// user is what the session cache keeps; its Get is not a client call.
type user struct{ attrs map[string]string }

func (u user) Get(k string) string { return u.attrs[k] }

func Open(dsn string) (*Store, error) {
	db, err := pgxpool.New(context.Background(), dsn) // want-element flow/DATABASE_URL flow want-flow go:checkout -> kubernetes:shop/StatefulSet/orders-db tls=true(read)
	if err != nil {
		return nil, err
	}
	cache := redis.NewClient(&redis.Options{Addr: os.Getenv("REDIS_ADDR")}) // want-element flow/REDIS_ADDR flow want-flow go:checkout -> go:checkout/env/REDIS_ADDR
	u := user{attrs: map[string]string{"home": "http://not-a-call.example.com"}}
	_ = u.Get("home")
	return &Store{db: db, cache: cache}, nil
}

func (s *Store) Save(ctx context.Context, c Cart) Cart {
	s.db.Exec(ctx, "INSERT INTO orders (id, total) VALUES ($1, $2)", c.ID, c.Total)
	s.cache.Del(ctx, c.ID)
	return c
}

func (s *Store) Load(ctx context.Context, id string) Cart {
	var c Cart
	s.db.QueryRow(ctx, "SELECT id, total FROM orders WHERE id = $1", id).Scan(&c.ID, &c.Total)
	return c
}

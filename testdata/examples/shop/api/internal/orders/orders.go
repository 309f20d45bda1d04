// Package orders stores orders in Postgres, caches them in Redis, charges them through the
// payment provider and announces them on the order-events queue.
package orders

import (
	"context"
	"database/sql"
	"encoding/json"
	"net/http"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/go-chi/chi/v5"
	_ "github.com/lib/pq"
	"github.com/redis/go-redis/v9"
)

type Service struct {
	db     *sql.DB
	cache  *redis.Client
	events *sqs.Client
}

func New(dsn, redisURL string) (*Service, error) {
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	opts, err := redis.ParseURL(redisURL)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		return nil, err
	}
	return &Service{db: db, cache: redis.NewClient(opts), events: sqs.NewFromConfig(cfg)}, nil
}

func (s *Service) Create(w http.ResponseWriter, r *http.Request) {
	var o struct {
		ID, Customer, Address string
		Total                 int64
	}
	if err := json.NewDecoder(r.Body).Decode(&o); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if _, err := s.db.ExecContext(r.Context(), "INSERT INTO orders (id, customer, address, total) VALUES ($1, $2, $3, $4)",
		o.ID, o.Customer, o.Address, o.Total); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	charge, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, os.Getenv("PAYMENT_API_URL")+"/charges", strings.NewReader(o.ID))
	if _, err := http.DefaultClient.Do(charge); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	s.events.SendMessage(r.Context(), &sqs.SendMessageInput{QueueUrl: aws.String(os.Getenv("QUEUE_URL")), MessageBody: aws.String(o.ID)})
	w.WriteHeader(http.StatusCreated)
}

func (s *Service) Get(w http.ResponseWriter, r *http.Request) {
	id := chi.URLParam(r, "id")
	if cached, err := s.cache.Get(r.Context(), "order:"+id).Result(); err == nil {
		w.Write([]byte(cached))
		return
	}
	var body string
	s.db.QueryRowContext(r.Context(), "SELECT body FROM orders WHERE id = $1", id).Scan(&body)
	w.Write([]byte(body))
}

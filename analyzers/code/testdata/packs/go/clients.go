package corpus

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/url"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

func httpClients(ctx context.Context) {
	http.Get("https://rates.example.com/eur")
	http.Post(os.Getenv("AUDIT_URL")+"/events", "application/json", nil)
	http.Head("http://catalog:8080/health")
	http.PostForm("https://hooks.example.com/notify", url.Values{})
	http.NewRequest(http.MethodGet, "http://inventory:8080/stock", nil)
	c := &http.Client{}
	c.Get("http://pricing:8080/prices")
	c.Post("http://pricing:8080/quotes", "application/json", strings.NewReader("{}"))
}

func grpcClients(ctx context.Context) {
	grpc.Dial("orders:50051", grpc.WithInsecure())
	grpc.DialContext(ctx, "payments.example.com:443", grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{})))
	grpc.Dial("ledger:50051", grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(nil, "")))
}

// Package clients calls the services checkout depends on.
package clients

import (
	"context"
	"crypto/tls"
	"net/http"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

type Payments struct {
	conn *grpc.ClientConn
	http *http.Client
}

// NewPayments dials the payment service. See https://grpc.io/docs for the options.
func NewPayments(addr string) *Payments {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials())) // want-element flow/PAYMENT_SERVICE_ADDR flow want-attr flow/PAYMENT_SERVICE_ADDR tls=false(read) want-flow go:checkout -> kubernetes:shop/Deployment/payment protocol="grpc"(read) tls=false(read)
	if err != nil {
		panic(err)
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // want-element code/internal/clients/payments.go/NewPayments/tls_verify_off control  // want "CODE-CRY-006"
	return &Payments{conn: conn, http: &http.Client{Transport: tr}}
}

func (p *Payments) Charge(ctx context.Context, total int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://fraud.example.net/v2/score", nil) // want-element flow/fraud.example.net flow want-element actor:fraud.example.net actor want-flow go:checkout -> actor:fraud.example.net tls_verify=false(read)
	if err != nil {
		return err
	}
	_, err = p.http.Do(req)
	return err
}

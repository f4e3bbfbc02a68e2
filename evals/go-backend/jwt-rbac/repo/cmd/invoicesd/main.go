// Command invoicesd serves the invoices API on :8080 (JWT_SECRET signs the tokens).
package main

import (
	"log"
	"net/http"
	"os"
	"time"

	"example.com/invoices/internal/auth"
	"example.com/invoices/internal/httpapi"
)

func main() {
	cfg := auth.Config{Secret: []byte(os.Getenv("JWT_SECRET")), Issuer: "https://id.example.com", Audience: "invoices", Leeway: 30 * time.Second}
	log.Fatal(http.ListenAndServe(":8080", httpapi.New(cfg)))
}

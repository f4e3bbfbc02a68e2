// Command ordersd serves the back-office API.
package main

import (
	"log"
	"net/http"

	"example.com/orders/internal/httpapi"
	"example.com/orders/internal/orders"
)

func main() {
	s := &httpapi.Server{Store: orders.NewStore()}
	log.Fatal(http.ListenAndServe(":8080", s.Routes()))
}

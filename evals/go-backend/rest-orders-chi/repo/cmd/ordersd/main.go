// Command ordersd serves the order API on :8080.
package main

import (
	"log"
	"net/http"

	"example.com/shop/internal/httpapi"
	"example.com/shop/internal/orders"
)

func main() {
	svc := orders.NewService(map[string]int{"TSHIRT-M": 40, "MUG": 12})
	log.Fatal(http.ListenAndServe(":8080", httpapi.NewRouter(svc)))
}

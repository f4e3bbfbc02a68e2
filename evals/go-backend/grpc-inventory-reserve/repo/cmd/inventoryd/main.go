// Command inventoryd serves InventoryService over gRPC on :9090.
package main

import (
	"log"
	"net"

	inventoryv1 "example.com/shop/gen/inventory/v1"
	"example.com/shop/internal/inventory"
	"google.golang.org/grpc"
)

func main() {
	lis, err := net.Listen("tcp", ":9090")
	if err != nil {
		log.Fatal(err)
	}
	srv := grpc.NewServer()
	inventoryv1.RegisterInventoryServiceServer(srv, inventory.NewServer(map[string]int32{"TEA-1": 40}))
	log.Fatal(srv.Serve(lis))
}

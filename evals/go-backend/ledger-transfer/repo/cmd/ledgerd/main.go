// Command ledgerd opens two demo accounts and moves money between them.
package main

import (
	"log"

	"example.com/ledger/internal/ledger"
)

func main() {
	l := ledger.New()
	_ = l.Open("alice", "EUR", 10_00)
	_ = l.Open("bob", "EUR", 0)
	if err := l.Transfer("demo-1", "alice", "bob", 2_50); err != nil {
		log.Fatal(err)
	}
	b, _ := l.Balance("bob")
	log.Printf("bob has %s", b)
}

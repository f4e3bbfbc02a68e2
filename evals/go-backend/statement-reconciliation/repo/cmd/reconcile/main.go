// Command reconcile compares two CSV statements: reconcile bank.csv ledger.csv
package main

import (
	"fmt"
	"log"
	"os"

	"example.com/recon/internal/reconcile"
	"example.com/recon/internal/statement"
)

func read(path string) []statement.Line {
	f, err := os.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	lines, err := statement.Parse(f)
	if err != nil {
		log.Fatal(err)
	}
	return lines
}

func main() {
	if len(os.Args) != 3 {
		log.Fatal("usage: reconcile bank.csv ledger.csv")
	}
	r := reconcile.Reconcile(read(os.Args[1]), read(os.Args[2]))
	fmt.Printf("matched %d, mismatched %d, missing in ledger %d, missing in bank %d\n",
		len(r.Matched), len(r.AmountMismatch), len(r.MissingInLedger), len(r.MissingInBank))
	if !r.Balanced() {
		os.Exit(1)
	}
}

// Command walletd serves wallet balances; transfers arrive through the payments API.
package main

import (
	"context"
	"log"
	"os"

	"github.com/jackc/pgx/v5/pgxpool"

	"example.com/wallets/internal/wallets"
)

func main() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()
	store := wallets.New(pool)
	balance, err := store.Balance(ctx, 1)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("wallet 1 holds %d cents", balance)
}

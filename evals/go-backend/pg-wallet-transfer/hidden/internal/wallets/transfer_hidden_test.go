//go:build integration

package wallets

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// hiddenStore opens DATABASE_URL (the judge's own PostgreSQL) in a fresh schema with the
// repository's migrations applied; the pool is returned to look at the rows directly.
func hiddenStore(t *testing.T) (*Store, *pgxpool.Pool) {
	t.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		t.Skip("DATABASE_URL is not set")
	}
	ctx := context.Background()
	schema := fmt.Sprintf("hidden_%d", time.Now().UnixNano())
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), url); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			_ = c.Close(context.Background())
		}
	})
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = schema
	cfg.MaxConns = 8
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	ups, _ := filepath.Glob("../../migrations/*.up.sql")
	sort.Strings(ups)
	for _, file := range ups {
		sql, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pool.Exec(ctx, string(sql)); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
	}
	return New(pool), pool
}

func open(t *testing.T, s *Store, id int64, currency string, balance int64) {
	t.Helper()
	if err := s.Open(context.Background(), id, fmt.Sprintf("owner-%d", id), currency, balance); err != nil {
		t.Fatal(err)
	}
}

func balances(t *testing.T, s *Store, ids ...int64) []int64 {
	t.Helper()
	out := make([]int64, len(ids))
	for i, id := range ids {
		b, err := s.Balance(context.Background(), id)
		if err != nil {
			t.Fatalf("Balance(%d): %v", id, err)
		}
		out[i] = b
	}
	return out
}

func transferCount(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM transfers`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHiddenTransferMovesMoneyAndRecordsIt(t *testing.T) {
	s, pool := hiddenStore(t)
	open(t, s, 1, "EUR", 10_000)
	open(t, s, 2, "EUR", 500)
	id, err := s.Transfer(context.Background(), TransferRequest{Reference: "pay-1", From: 1, To: 2, Amount: 2_550})
	if err != nil {
		t.Fatalf("Transfer: %v", err)
	}
	if got := balances(t, s, 1, 2); got[0] != 7_450 || got[1] != 3_050 {
		t.Fatalf("balances = %v, want [7450 3050]", got)
	}
	var ref string
	var from, to, amount int64
	err = pool.QueryRow(context.Background(),
		`SELECT reference, from_id, to_id, amount FROM transfers WHERE id = $1`, id).Scan(&ref, &from, &to, &amount)
	if err != nil {
		t.Fatalf("the transfer row with the returned id %d: %v", id, err)
	}
	if ref != "pay-1" || from != 1 || to != 2 || amount != 2_550 {
		t.Fatalf("transfer row = %q %d→%d %d", ref, from, to, amount)
	}
}

func TestHiddenRefusalsChangeNothing(t *testing.T) {
	s, pool := hiddenStore(t)
	open(t, s, 1, "EUR", 1_000)
	open(t, s, 2, "EUR", 0)
	open(t, s, 3, "USD", 0)
	cases := []struct {
		name string
		req  TransferRequest
		want error
	}{
		{"overdraft", TransferRequest{"r1", 1, 2, 1_001}, ErrInsufficientFunds},
		{"unknown target", TransferRequest{"r2", 1, 99, 10}, ErrNotFound},
		{"unknown source", TransferRequest{"r3", 99, 1, 10}, ErrNotFound},
		{"currencies differ", TransferRequest{"r4", 1, 3, 10}, ErrCurrencyMismatch},
		{"zero amount", TransferRequest{"r5", 1, 2, 0}, ErrInvalidAmount},
		{"negative amount", TransferRequest{"r6", 1, 2, -5}, ErrInvalidAmount},
		{"same wallet", TransferRequest{"r7", 1, 1, 10}, ErrSameWallet},
	}
	for _, c := range cases {
		if _, err := s.Transfer(context.Background(), c.req); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
		if got := balances(t, s, 1, 2, 3); got[0] != 1_000 || got[1] != 0 || got[2] != 0 {
			t.Fatalf("%s: balances = %v, want [1000 0 0] (a refused transfer changes nothing)", c.name, got)
		}
	}
	if n := transferCount(t, pool); n != 0 {
		t.Fatalf("%d transfers recorded for refused requests", n)
	}
}

func TestHiddenDuplicateReferenceRollsBack(t *testing.T) {
	s, pool := hiddenStore(t)
	open(t, s, 1, "EUR", 1_000)
	open(t, s, 2, "EUR", 0)
	ctx := context.Background()
	if _, err := s.Transfer(ctx, TransferRequest{"invoice-7", 1, 2, 300}); err != nil {
		t.Fatalf("first transfer: %v", err)
	}
	// The payment system retries with the same reference: refused, and no money moves again.
	if _, err := s.Transfer(ctx, TransferRequest{"invoice-7", 1, 2, 200}); !errors.Is(err, ErrDuplicateReference) {
		t.Fatalf("reused reference: err = %v, want ErrDuplicateReference", err)
	}
	if got := balances(t, s, 1, 2); got[0] != 700 || got[1] != 300 {
		t.Fatalf("balances = %v, want [700 300]: the refused transfer was not rolled back", got)
	}
	if n := transferCount(t, pool); n != 1 {
		t.Fatalf("%d transfers recorded, want 1", n)
	}
}

func TestHiddenConcurrentTransfersKeepTheBooks(t *testing.T) {
	s, pool := hiddenStore(t)
	open(t, s, 1, "EUR", 1_000)
	open(t, s, 2, "EUR", 1_000)
	open(t, s, 3, "EUR", 500)
	open(t, s, 4, "EUR", 0)
	ctx := context.Background()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var unexpected []error
	drained := 0
	run := func(req TransferRequest, drain bool) {
		defer wg.Done()
		_, err := s.Transfer(ctx, req)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case err == nil && drain:
			drained++
		case err == nil, errors.Is(err, ErrInsufficientFunds):
		default:
			unexpected = append(unexpected, err)
		}
	}
	// Opposite directions at once (a deadlock if the rows are locked in request order), and
	// ten transfers of 100 from a wallet holding 500 (exactly five can succeed).
	for i := 0; i < 20; i++ {
		wg.Add(3)
		from, to := int64(1), int64(2)
		if i%2 == 1 {
			from, to = 2, 1
		}
		go run(TransferRequest{fmt.Sprintf("swap-%d", i), from, to, 150}, false)
		go run(TransferRequest{fmt.Sprintf("swap-back-%d", i), to, from, 150}, false)
		if i < 10 {
			go run(TransferRequest{fmt.Sprintf("drain-%d", i), 3, 4, 100}, true)
		} else {
			wg.Done()
		}
	}
	wg.Wait()
	for _, err := range unexpected {
		t.Errorf("a concurrent transfer failed: %v", err)
	}
	got := balances(t, s, 1, 2, 3, 4)
	if got[0]+got[1] != 2_000 || got[0] < 0 || got[1] < 0 {
		t.Errorf("wallets 1 and 2 = %v, want a total of 2000 and none negative", got[:2])
	}
	if drained != 5 || got[2] != 0 || got[3] != 500 {
		t.Errorf("%d drain transfers succeeded, wallets 3 and 4 = %v; want 5 and [0 500]", drained, got[2:])
	}
	var recorded int64
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM transfers WHERE reference LIKE 'drain-%'`).Scan(&recorded); err != nil {
		t.Fatal(err)
	}
	if recorded != int64(drained) {
		t.Errorf("%d drain transfers recorded, %d succeeded", recorded, drained)
	}
}

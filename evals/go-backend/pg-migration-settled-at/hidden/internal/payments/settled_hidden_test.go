//go:build integration

package payments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"
	"time"

	_ "github.com/lib/pq"
)

const migrationsDir = "../../migrations"

var migrationName = regexp.MustCompile(`^(\d+)_([a-z0-9_]+)\.(up|down)\.sql$`)

// hiddenDB opens DATABASE_URL (the judge's own PostgreSQL) in a fresh, empty schema.
func hiddenDB(t *testing.T) *sql.DB {
	t.Helper()
	dsn := os.Getenv("DATABASE_URL")
	if dsn == "" {
		t.Skip("DATABASE_URL is not set")
	}
	admin, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	schema := fmt.Sprintf("hidden_%d", time.Now().UnixNano())
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("postgres", dsn); err == nil {
			_, _ = a.Exec("DROP SCHEMA " + schema + " CASCADE")
			_ = a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := sql.Open("postgres", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// migrations lists the golang-migrate files of one direction, oldest first.
func migrations(t *testing.T, direction string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(migrationsDir, "*."+direction+".sql"))
	sort.Strings(files)
	return files
}

func apply(t *testing.T, db *sql.DB, files ...string) {
	t.Helper()
	for _, file := range files {
		text, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(text)); err != nil {
			t.Fatalf("%s: %v", filepath.Base(file), err)
		}
	}
}

func migrated(t *testing.T) (*Repository, *sql.DB) {
	t.Helper()
	db := hiddenDB(t)
	apply(t, db, migrations(t, "up")...)
	return NewRepository(db), db
}

func hasColumn(t *testing.T, db *sql.DB) (bool, string, string) {
	t.Helper()
	var typ, nullable string
	err := db.QueryRow(`SELECT data_type, is_nullable FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = 'payments' AND column_name = 'settled_at'`).
		Scan(&typ, &nullable)
	if errors.Is(err, sql.ErrNoRows) {
		return false, "", ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return true, typ, nullable
}

func hasIndex(t *testing.T, db *sql.DB) bool {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM pg_indexes
		WHERE schemaname = current_schema() AND indexname = 'payments_unsettled_idx'`).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestHiddenMigrationPair(t *testing.T) {
	entries, err := os.ReadDir(migrationsDir)
	if err != nil {
		t.Fatal(err)
	}
	pairs := map[string]map[string]bool{}
	for _, e := range entries {
		m := migrationName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("migrations/%s is not a golang-migrate file (NNNN_name.up.sql or NNNN_name.down.sql)", e.Name())
			continue
		}
		key := m[1] + "_" + m[2]
		if pairs[key] == nil {
			pairs[key] = map[string]bool{}
		}
		pairs[key][m[3]] = true
	}
	var news []string
	for key, dirs := range pairs {
		if !dirs["up"] || !dirs["down"] {
			t.Errorf("migration %s has no %s step", key, map[bool]string{true: "down", false: "up"}[dirs["up"]])
		}
		if key != "0001_payments" {
			news = append(news, key)
		}
	}
	if len(news) != 1 || news[0][:5] != "0002_" {
		t.Fatalf("new migrations = %v, want exactly one pair numbered 0002 after 0001_payments", news)
	}
}

func TestHiddenMigrationsUpDownUp(t *testing.T) {
	db := hiddenDB(t)
	ups, downs := migrations(t, "up"), migrations(t, "down")
	if len(ups) < 2 || len(downs) != len(ups) {
		t.Fatalf("%d up and %d down migrations, want a new pair after 0001", len(ups), len(downs))
	}
	apply(t, db, ups...)
	if ok, typ, nullable := hasColumn(t, db); !ok || typ != "timestamp with time zone" || nullable != "YES" {
		t.Fatalf("after up: settled_at = %v %q nullable %q, want a nullable timestamp with time zone", ok, typ, nullable)
	}
	if !hasIndex(t, db) {
		t.Fatal("after up: no index payments_unsettled_idx")
	}
	if _, err := db.Exec(`INSERT INTO payments (merchant, amount, currency) VALUES ('m-1', 500, 'EUR')`); err != nil {
		t.Fatal(err)
	}
	// The newest migration down: the schema is as before it, and the payments are still there.
	apply(t, db, downs[len(downs)-1])
	if ok, _, _ := hasColumn(t, db); ok {
		t.Fatal("after down: payments.settled_at is still there")
	}
	if hasIndex(t, db) {
		t.Fatal("after down: payments_unsettled_idx is still there")
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM payments`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after down: %d payments, %v; want the one row kept", n, err)
	}
	// And up again.
	apply(t, db, ups[len(ups)-1])
	if ok, _, _ := hasColumn(t, db); !ok || !hasIndex(t, db) {
		t.Fatal("up again: settled_at or its index is missing")
	}
}

func TestHiddenMarkSettled(t *testing.T) {
	ctx := context.Background()
	r, _ := migrated(t)
	id, err := r.Create(ctx, Payment{Merchant: "m-7", Amount: 1250, Currency: "EUR"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.Get(ctx, id)
	if err != nil || p.SettledAt != nil {
		t.Fatalf("a new payment: SettledAt = %v, %v; want nil", p.SettledAt, err)
	}
	at := time.Date(2026, 3, 14, 9, 26, 53, 589_793_000, time.UTC)
	if err := r.MarkSettled(ctx, id, at); err != nil {
		t.Fatalf("MarkSettled: %v", err)
	}
	p, err = r.Get(ctx, id)
	if err != nil || p.SettledAt == nil || !p.SettledAt.Equal(at) {
		t.Fatalf("after MarkSettled: SettledAt = %v, %v; want %v", p.SettledAt, err, at)
	}
	if err := r.MarkSettled(ctx, id, at.Add(time.Hour)); !errors.Is(err, ErrAlreadySettled) {
		t.Fatalf("settled twice: err = %v, want ErrAlreadySettled", err)
	}
	if p, _ = r.Get(ctx, id); p.SettledAt == nil || !p.SettledAt.Equal(at) {
		t.Fatalf("settled twice: SettledAt = %v, want the first time %v kept", p.SettledAt, at)
	}
	if err := r.MarkSettled(ctx, id+100, at); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing payment: err = %v, want ErrNotFound", err)
	}
}

func TestHiddenListUnsettled(t *testing.T) {
	ctx := context.Background()
	r, db := migrated(t)
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	ids := make([]int64, 4)
	for i := range ids {
		// Inserted newest first, so the order must come from created_at.
		created := base.Add(time.Duration(3-i) * time.Hour)
		err := db.QueryRow(`INSERT INTO payments (merchant, amount, currency, created_at)
			VALUES ($1, 100, 'EUR', $2) RETURNING id`, fmt.Sprintf("m-%d", i), created).Scan(&ids[i])
		if err != nil {
			t.Fatal(err)
		}
	}
	// ids[3] is the oldest (12:00), ids[0] the newest (15:00); ids[2] (13:00) settles.
	if err := r.MarkSettled(ctx, ids[2], base.Add(5*time.Hour)); err != nil {
		t.Fatal(err)
	}
	got, err := r.ListUnsettled(ctx, base.Add(90*time.Minute))
	if err != nil {
		t.Fatalf("ListUnsettled: %v", err)
	}
	var gotIDs []int64
	for _, p := range got {
		gotIDs = append(gotIDs, p.ID)
		if p.SettledAt != nil {
			t.Errorf("payment %d listed as unsettled with SettledAt %v", p.ID, p.SettledAt)
		}
	}
	if fmt.Sprint(gotIDs) != fmt.Sprint([]int64{ids[3]}) {
		t.Fatalf("ListUnsettled(13:30) = %v, want [%d] (created before, not settled)", gotIDs, ids[3])
	}
	got, _ = r.ListUnsettled(ctx, base.Add(24*time.Hour))
	gotIDs = gotIDs[:0]
	for _, p := range got {
		gotIDs = append(gotIDs, p.ID)
	}
	if want := fmt.Sprint([]int64{ids[3], ids[1], ids[0]}); fmt.Sprint(gotIDs) != want {
		t.Fatalf("ListUnsettled(tomorrow) = %v, want %s, oldest first", gotIDs, want)
	}
}

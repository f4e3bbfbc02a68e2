package customers

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/pashagolub/pgxmock/v4"
)

func TestGet(t *testing.T) {
	mock, err := pgxmock.NewPool()
	if err != nil {
		t.Fatal(err)
	}
	defer mock.Close()
	mock.ExpectQuery(`SELECT id, email, name, version FROM customers`).WithArgs(int64(7)).
		WillReturnRows(pgxmock.NewRows([]string{"id", "email", "name", "version"}).AddRow(int64(7), "a@b.c", "Ada", int32(3)))
	mock.ExpectQuery(`SELECT id, email, name, version FROM customers`).WithArgs(int64(8)).WillReturnError(pgx.ErrNoRows)
	r := NewRepository(mock)
	c, err := r.Get(context.Background(), 7)
	if err != nil || c.Version != 3 {
		t.Fatalf("Get = %+v, %v", c, err)
	}
	if _, err := r.Get(context.Background(), 8); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

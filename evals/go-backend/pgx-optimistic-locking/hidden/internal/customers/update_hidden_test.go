package customers

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pashagolub/pgxmock/v4"
)

var space = regexp.MustCompile(`\s+`)

func norm(s string) string {
	s = strings.ToLower(space.ReplaceAllString(strings.TrimSpace(s), " "))
	for _, op := range []string{"=", "+", "(", ")", ","} {
		s = strings.ReplaceAll(s, " "+op, op)
		s = strings.ReplaceAll(s, op+" ", op)
	}
	return strings.TrimSuffix(s, ";")
}

// The expectation lists fragments the SQL must contain, separated by "|".
var fragments = pgxmock.QueryMatcherFunc(func(expected, actual string) error {
	a := norm(actual)
	for _, f := range strings.Split(expected, "|") {
		if !strings.Contains(a, norm(f)) {
			return fmt.Errorf("SQL %q lacks %q", actual, f)
		}
	}
	return nil
})

const updateSQL = "update customers set|version=version+1|where id=$3 and version=$4"
const existsSQL = "select exists|from customers where id=$1"

func hiddenMock(t *testing.T) pgxmock.PgxPoolIface {
	t.Helper()
	mock, err := pgxmock.NewPool(pgxmock.QueryMatcherOption(fragments))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := mock.ExpectationsWereMet(); err != nil {
			t.Error(err)
		}
		mock.Close()
	})
	return mock
}

var ada = Customer{ID: 7, Email: "ada@example.com", Name: "Ada", Version: 3}

func TestHiddenUpdateBumpsVersion(t *testing.T) {
	mock := hiddenMock(t)
	mock.ExpectExec(updateSQL).WithArgs(ada.Email, ada.Name, ada.ID, ada.Version).
		WillReturnResult(pgxmock.NewResult("UPDATE", 1))
	got, err := NewRepository(mock).Update(context.Background(), ada)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	if got.Version != 4 || got.Email != ada.Email {
		t.Fatalf("Update returned %+v, want version 4", got)
	}
}

func TestHiddenUpdateStaleIsConflict(t *testing.T) {
	mock := hiddenMock(t)
	mock.ExpectExec(updateSQL).WithArgs(ada.Email, ada.Name, ada.ID, ada.Version).
		WillReturnResult(pgxmock.NewResult("UPDATE", 0))
	mock.ExpectQuery(existsSQL).WithArgs(ada.ID).WillReturnRows(pgxmock.NewRows([]string{"exists"}).AddRow(true))
	if _, err := NewRepository(mock).Update(context.Background(), ada); !errors.Is(err, ErrConflict) {
		t.Fatalf("err = %v, want ErrConflict", err)
	}
}

func TestHiddenUpdateMissingIsNotFound(t *testing.T) {
	mock := hiddenMock(t)
	mock.ExpectExec(updateSQL).WithArgs(ada.Email, ada.Name, ada.ID, ada.Version).
		WillReturnResult(pgxmock.NewResult("UPDATE", 0))
	mock.ExpectQuery(existsSQL).WithArgs(ada.ID).WillReturnRows(pgxmock.NewRows([]string{"exists"}).AddRow(false))
	if _, err := NewRepository(mock).Update(context.Background(), ada); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestHiddenUpdateErrors(t *testing.T) {
	mock := hiddenMock(t)
	args := []any{ada.Email, ada.Name, ada.ID, ada.Version}
	mock.ExpectExec(updateSQL).WithArgs(args...).WillReturnError(&pgconn.PgError{Code: "23505", ConstraintName: "customers_email_key"})
	mock.ExpectExec(updateSQL).WithArgs(args...).WillReturnError(errors.New("conn closed"))
	r := NewRepository(mock)
	if _, err := r.Update(context.Background(), ada); !errors.Is(err, ErrEmailTaken) {
		t.Fatalf("unique violation: %v, want ErrEmailTaken", err)
	}
	_, err := r.Update(context.Background(), ada)
	if err == nil || !strings.Contains(err.Error(), "7") || !strings.Contains(err.Error(), "conn closed") {
		t.Fatalf("a database error: %v, want it wrapped with the id", err)
	}
}

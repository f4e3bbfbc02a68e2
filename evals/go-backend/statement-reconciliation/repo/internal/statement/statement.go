// Package statement reads account statements exported as CSV: ref,date,amount_cents,memo.
package statement

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Line is one booked movement; AmountCents is negative for money going out.
type Line struct {
	Ref         string
	Date        time.Time
	AmountCents int64
	Memo        string
}

// Parse reads a statement with a header row.
func Parse(r io.Reader) ([]Line, error) {
	rows, err := csv.NewReader(r).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("parse statement: %w", err)
	}
	var out []Line
	for i, row := range rows {
		if i == 0 {
			continue
		}
		if len(row) != 4 {
			return nil, fmt.Errorf("parse statement: row %d has %d fields, want 4", i+1, len(row))
		}
		d, err := time.Parse("2006-01-02", row[1])
		if err != nil {
			return nil, fmt.Errorf("parse statement: row %d: %w", i+1, err)
		}
		amt, err := strconv.ParseInt(row[2], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("parse statement: row %d: amount: %w", i+1, err)
		}
		out = append(out, Line{Ref: row[0], Date: d, AmountCents: amt, Memo: row[3]})
	}
	return out, nil
}

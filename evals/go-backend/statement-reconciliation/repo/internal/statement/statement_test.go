package statement

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	lines, err := Parse(strings.NewReader("ref,date,amount_cents,memo\nA1,2026-11-02,-1250,coffee\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 1 || lines[0].Ref != "A1" || lines[0].AmountCents != -1250 {
		t.Fatalf("got %+v", lines)
	}
}

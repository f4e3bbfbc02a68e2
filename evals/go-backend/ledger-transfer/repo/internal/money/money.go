// Package money holds amounts in minor units, so sums never lose cents to floating point.
package money

import "fmt"

// Cents is an amount in the currency's minor unit.
type Cents int64

// String formats the amount as units and cents, e.g. "12.05".
func (c Cents) String() string {
	sign := ""
	if c < 0 {
		sign, c = "-", -c
	}
	return fmt.Sprintf("%s%d.%02d", sign, c/100, c%100)
}

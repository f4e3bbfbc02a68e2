// Command consumer wires the payment consumer; the broker adapter is chosen at deploy time.
package main

import (
	"fmt"

	"example.com/payments/internal/payments"
)

func main() {
	c := payments.Consumer{Processed: payments.NewMemoryProcessed(), MaxAttempts: 5}
	fmt.Printf("consumer ready (max %d attempts)\n", c.MaxAttempts)
}

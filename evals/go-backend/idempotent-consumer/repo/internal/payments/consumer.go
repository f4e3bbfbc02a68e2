package payments

import (
	"context"
	"errors"

	"example.com/payments/internal/broker"
)

// Consumer turns deliveries into applied events.
type Consumer struct {
	Broker      broker.Broker
	Applier     Applier
	Processed   Processed
	MaxAttempts int
}

// Handle processes one delivery and settles it with the broker.
func (c *Consumer) Handle(ctx context.Context, m broker.Message) error {
	return errors.New("not implemented")
}

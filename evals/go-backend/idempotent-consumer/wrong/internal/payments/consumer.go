package payments

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"example.com/payments/internal/broker"
)

// Consumer turns deliveries into applied events.
type Consumer struct {
	Broker      broker.Broker
	Applier     Applier
	Processed   Processed
	MaxAttempts int
}

// Handle processes one delivery and settles it with the broker exactly once.
func (c *Consumer) Handle(ctx context.Context, m broker.Message) error {
	var e Event
	if err := json.Unmarshal(m.Body, &e); err != nil {
		return c.settle(ctx, m, "dlq", fmt.Sprintf("malformed body: %v", err))
	}
	if e.EventID == "" {
		return c.settle(ctx, m, "dlq", "body has no event_id")
	}
	seen, err := c.Processed.Seen(ctx, m.ID)
	if err != nil {
		return c.retry(ctx, m, err)
	}
	if seen {
		return c.settle(ctx, m, "ack", "")
	}
	if err := c.Applier.Apply(ctx, e); err != nil {
		if errors.Is(err, ErrPermanent) {
			return c.settle(ctx, m, "dlq", err.Error())
		}
		return c.retry(ctx, m, err)
	}
	if err := c.Processed.Mark(ctx, m.ID); err != nil {
		return c.retry(ctx, m, err)
	}
	return c.settle(ctx, m, "ack", "")
}

func (c *Consumer) retry(ctx context.Context, m broker.Message, cause error) error {
	if m.Attempt >= c.MaxAttempts {
		return c.settle(ctx, m, "dlq", fmt.Sprintf("gave up after %d attempts: %v", m.Attempt, cause))
	}
	return c.settle(ctx, m, "nack", "")
}

func (c *Consumer) settle(ctx context.Context, m broker.Message, how, reason string) error {
	var err error
	switch how {
	case "ack":
		err = c.Broker.Ack(ctx, m)
	case "nack":
		err = c.Broker.Nack(ctx, m)
	default:
		err = c.Broker.DeadLetter(ctx, m, reason)
	}
	if err != nil {
		return fmt.Errorf("settle %s (%s): %w", m.ID, how, err)
	}
	return nil
}

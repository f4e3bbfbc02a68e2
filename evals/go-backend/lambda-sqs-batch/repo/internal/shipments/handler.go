// Package shipments handles shipment events that SQS delivers to a Lambda function in batches.
package shipments

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"
)

// Event is one message body.
type Event struct {
	ShipmentID string `json:"shipment_id"`
	Status     string `json:"status"`
}

// Handler is the Lambda function's handler.
type Handler struct {
	Store Store
}

// Handle processes a batch. Today any failure fails the whole batch, so SQS redelivers every
// message of it, including the ones already applied.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	for _, msg := range ev.Records {
		var e Event
		if err := json.Unmarshal([]byte(msg.Body), &e); err != nil {
			return events.SQSEventResponse{}, fmt.Errorf("message %s: %w", msg.MessageId, err)
		}
		if err := h.Store.Apply(ctx, e); err != nil {
			return events.SQSEventResponse{}, fmt.Errorf("message %s: %w", msg.MessageId, err)
		}
	}
	return events.SQSEventResponse{}, nil
}

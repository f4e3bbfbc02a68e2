// Package shipments handles shipment events that SQS delivers to a Lambda function in batches.
package shipments

import (
	"context"
	"encoding/json"
	"errors"
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

// Handle processes a batch and reports the messages that failed (ReportBatchItemFailures).
// In a FIFO group, the messages after a failure are not applied and are reported too, so SQS
// redelivers them in order.
func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, msg := range ev.Records {
		if err := h.one(ctx, msg); err != nil {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: msg.MessageId})
		}
	}
	return resp, nil
}

func (h *Handler) one(ctx context.Context, msg events.SQSMessage) error {
	var e Event
	if err := json.Unmarshal([]byte(msg.Body), &e); err != nil {
		return fmt.Errorf("message %s: %w", msg.MessageId, err)
	}
	if e.ShipmentID == "" || e.Status == "" {
		return fmt.Errorf("message %s: %w", msg.MessageId, errors.New("shipment_id and status are required"))
	}
	if err := h.Store.Apply(ctx, e); err != nil {
		return fmt.Errorf("message %s: %w", msg.MessageId, err)
	}
	return nil
}

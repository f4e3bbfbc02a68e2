package shipments

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func TestEmptyBatch(t *testing.T) {
	h := &Handler{Store: &MemoryStore{}}
	resp, err := h.Handle(context.Background(), events.SQSEvent{})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("empty batch: %+v, %v", resp, err)
	}
}

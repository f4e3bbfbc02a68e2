package shipments

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

func m(id, group, body string) events.SQSMessage {
	msg := events.SQSMessage{MessageId: id, Body: body}
	if group != "" {
		msg.Attributes = map[string]string{"MessageGroupId": group}
	}
	return msg
}

func failed(resp events.SQSEventResponse) []string {
	out := []string{}
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

func applied(s *MemoryStore) []string {
	out := []string{}
	for _, e := range s.Applied {
		out = append(out, e.ShipmentID+":"+e.Status)
	}
	return out
}

type flakyStore struct {
	MemoryStore
	failOn string
}

func (f *flakyStore) Apply(ctx context.Context, ev Event) error {
	if ev.ShipmentID == f.failOn {
		return errors.New("dynamodb throttled")
	}
	return f.MemoryStore.Apply(ctx, ev)
}

func TestHiddenReportsEachFailure(t *testing.T) {
	s := &flakyStore{failOn: "s3"}
	h := &Handler{Store: s}
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		m("1", "", `{"shipment_id":"s1","status":"picked"}`),
		m("2", "", `{not json`),
		m("3", "", `{"shipment_id":"s2"}`),
		m("4", "", `{"shipment_id":"s3","status":"picked"}`),
		m("5", "", `{"shipment_id":"s4","status":"shipped"}`),
	}})
	if err != nil {
		t.Fatalf("Handle returned %v, want nil with per-message failures", err)
	}
	if got := failed(resp); !reflect.DeepEqual(got, []string{"2", "3", "4"}) {
		t.Fatalf("failures %v, want [2 3 4]", got)
	}
	if got := applied(&s.MemoryStore); !reflect.DeepEqual(got, []string{"s1:picked", "s4:shipped"}) {
		t.Fatalf("applied %v", got)
	}
}

func TestHiddenFifoGroupStopsAfterFailure(t *testing.T) {
	s := &flakyStore{failOn: "a2"}
	h := &Handler{Store: s}
	resp, err := h.Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		m("1", "A", `{"shipment_id":"a1","status":"picked"}`),
		m("2", "B", `{"shipment_id":"b1","status":"picked"}`),
		m("3", "A", `{"shipment_id":"a2","status":"packed"}`),
		m("4", "A", `{"shipment_id":"a3","status":"shipped"}`),
		m("5", "B", `{"shipment_id":"b2","status":"packed"}`),
		m("6", "A", `{"shipment_id":"a4","status":"delivered"}`),
		m("7", "", `{"shipment_id":"x1","status":"picked"}`),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := failed(resp); !reflect.DeepEqual(got, []string{"3", "4", "6"}) {
		t.Fatalf("failures %v, want [3 4 6]: the failed A message and the A messages after it", got)
	}
	if got := applied(&s.MemoryStore); !reflect.DeepEqual(got, []string{"a1:picked", "b1:picked", "b2:packed", "x1:picked"}) {
		t.Fatalf("applied %v: nothing of group A after its failure may be applied", got)
	}
}

func TestHiddenAllGood(t *testing.T) {
	s := &MemoryStore{}
	resp, err := (&Handler{Store: s}).Handle(context.Background(), events.SQSEvent{Records: []events.SQSMessage{
		m("1", "A", `{"shipment_id":"a1","status":"picked"}`),
		m("2", "A", `{"shipment_id":"a1","status":"packed"}`),
	}})
	if err != nil || len(resp.BatchItemFailures) != 0 || len(s.Applied) != 2 {
		t.Fatalf("resp %+v err %v applied %v", resp, err, s.Applied)
	}
}

package payments

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"example.com/payments/internal/broker"
)

type settled struct {
	how, id, reason string
}

type fakeBroker struct{ log []settled }

func (b *fakeBroker) Ack(_ context.Context, m broker.Message) error {
	b.log = append(b.log, settled{"ack", m.ID, ""})
	return nil
}
func (b *fakeBroker) Nack(_ context.Context, m broker.Message) error {
	b.log = append(b.log, settled{"nack", m.ID, ""})
	return nil
}
func (b *fakeBroker) DeadLetter(_ context.Context, m broker.Message, reason string) error {
	b.log = append(b.log, settled{"dlq", m.ID, reason})
	return nil
}

type fakeApplier struct {
	applied []string
	fail    func(e Event) error
}

func (a *fakeApplier) Apply(_ context.Context, e Event) error {
	if a.fail != nil {
		if err := a.fail(e); err != nil {
			return err
		}
	}
	a.applied = append(a.applied, e.EventID)
	return nil
}

func consumer(a *fakeApplier) (*Consumer, *fakeBroker) {
	b := &fakeBroker{}
	return &Consumer{Broker: b, Applier: a, Processed: NewMemoryProcessed(), MaxAttempts: 3}, b
}

func msg(id string, attempt int, eventID string) broker.Message {
	return broker.Message{ID: id, Attempt: attempt, Body: []byte(fmt.Sprintf(`{"event_id":%q,"invoice_id":"inv-1","amount_cents":1250}`, eventID))}
}

func TestHiddenDuplicateEventAppliedOnce(t *testing.T) {
	a := &fakeApplier{}
	c, b := consumer(a)
	for _, m := range []broker.Message{msg("d1", 1, "ev-1"), msg("d2", 1, "ev-1"), msg("d3", 2, "ev-1")} {
		if err := c.Handle(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	if len(a.applied) != 1 {
		t.Fatalf("applied %v, want ev-1 once", a.applied)
	}
	if len(b.log) != 3 || b.log[0].how != "ack" || b.log[1].how != "ack" || b.log[2].how != "ack" {
		t.Fatalf("settlements %+v, want three acks", b.log)
	}
}

func TestHiddenMalformedBodyDeadLettered(t *testing.T) {
	a := &fakeApplier{}
	c, b := consumer(a)
	for _, body := range []string{"not json", `{"invoice_id":"inv-1"}`} {
		b.log = nil
		if err := c.Handle(context.Background(), broker.Message{ID: "d", Attempt: 1, Body: []byte(body)}); err != nil {
			t.Fatal(err)
		}
		if len(b.log) != 1 || b.log[0].how != "dlq" || b.log[0].reason == "" {
			t.Fatalf("body %q: settlements %+v, want one dead-letter with a reason", body, b.log)
		}
	}
	if len(a.applied) != 0 {
		t.Fatalf("applied %v", a.applied)
	}
}

func TestHiddenPermanentFailureDeadLettered(t *testing.T) {
	a := &fakeApplier{fail: func(Event) error { return fmt.Errorf("invoice inv-1: %w", ErrPermanent) }}
	c, b := consumer(a)
	if err := c.Handle(context.Background(), msg("d1", 1, "ev-9")); err != nil {
		t.Fatal(err)
	}
	if len(b.log) != 1 || b.log[0].how != "dlq" {
		t.Fatalf("settlements %+v, want one dead-letter", b.log)
	}
}

func TestHiddenTransientRetriedThenDeadLettered(t *testing.T) {
	a := &fakeApplier{fail: func(Event) error { return errors.New("database busy") }}
	c, b := consumer(a)
	for attempt := 1; attempt <= 3; attempt++ {
		if err := c.Handle(context.Background(), msg(fmt.Sprintf("d%d", attempt), attempt, "ev-2")); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"nack", "nack", "dlq"}
	if len(b.log) != 3 {
		t.Fatalf("settlements %+v, want %v", b.log, want)
	}
	for i, w := range want {
		if b.log[i].how != w {
			t.Fatalf("settlements %+v, want %v", b.log, want)
		}
	}
	// A transient failure does not mark the event: the next delivery applies it.
	a.fail = nil
	b.log = nil
	if err := c.Handle(context.Background(), msg("d4", 1, "ev-2")); err != nil {
		t.Fatal(err)
	}
	if len(a.applied) != 1 || b.log[0].how != "ack" {
		t.Fatalf("after recovery applied %v, settlements %+v", a.applied, b.log)
	}
}

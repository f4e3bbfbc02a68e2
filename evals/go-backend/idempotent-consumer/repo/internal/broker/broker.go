// Package broker is the interface around the message broker (SQS, RabbitMQ, Kafka): the
// consumer only sees deliveries and the three things it can do with one.
package broker

import "context"

// Message is one delivery. Attempt starts at 1 and grows with every redelivery.
type Message struct {
	ID      string
	Attempt int
	Body    []byte
}

// Broker settles deliveries.
type Broker interface {
	// Ack removes the message from the queue.
	Ack(ctx context.Context, m Message) error
	// Nack returns it to the queue for a later redelivery.
	Nack(ctx context.Context, m Message) error
	// DeadLetter moves it to the dead-letter queue with the reason, and removes it from this one.
	DeadLetter(ctx context.Context, m Message, reason string) error
}

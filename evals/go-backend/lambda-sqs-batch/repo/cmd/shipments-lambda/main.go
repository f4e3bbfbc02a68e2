// Command shipments-lambda is the Lambda function fed by the shipments SQS queue.
package main

import (
	"github.com/aws/aws-lambda-go/lambda"

	"example.com/shipments/internal/shipments"
)

func main() {
	h := &shipments.Handler{Store: &shipments.MemoryStore{}}
	lambda.Start(h.Handle)
}

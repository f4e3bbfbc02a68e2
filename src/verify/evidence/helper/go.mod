module backend-go-agent/evidence-helper

go 1.21

module backend-go-agent/bridge

go 1.21

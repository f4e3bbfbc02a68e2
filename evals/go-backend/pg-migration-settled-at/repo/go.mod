module example.com/payments

go 1.25.0

require github.com/lib/pq v1.10.9

module example.com/invoices

go 1.24

require github.com/golang-jwt/jwt/v5 v5.2.2

module example.com/apid

go 1.24

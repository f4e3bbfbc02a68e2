// Command notesd serves the notes API on :8080.
package main

import (
	"log"
	"net/http"

	"example.com/notes/internal/httpapi"
	"example.com/notes/internal/notes"
)

func main() {
	log.Fatal(http.ListenAndServe(":8080", httpapi.New(notes.NewStore())))
}

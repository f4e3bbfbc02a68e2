package httpapi

import (
	"encoding/json"
	"net/http"
)

// FieldError names a request field that failed validation and why.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type errorBody struct {
	Error  string       `json:"error"`
	Fields []FieldError `json:"fields,omitempty"`
}

func writeError(w http.ResponseWriter, status int, msg string, fields []FieldError) {
	writeJSON(w, status, errorBody{Error: msg, Fields: fields})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

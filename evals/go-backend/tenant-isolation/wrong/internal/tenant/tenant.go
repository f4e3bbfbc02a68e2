// Package tenant carries the calling tenant through a request's context.
package tenant

import "context"

// ID names a tenant, e.g. "acme".
type ID string

type key struct{}

// With returns ctx carrying the tenant.
func With(ctx context.Context, id ID) context.Context {
	return context.WithValue(ctx, key{}, id)
}

// From returns the tenant ctx carries, and whether it carries one.
func From(ctx context.Context) (ID, bool) {
	id, ok := ctx.Value(key{}).(ID)
	return id, ok && id != ""
}

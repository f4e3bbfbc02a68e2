// Package rbac maps roles to the permissions they grant.
package rbac

// Permission is "resource:action".
type Permission string

const (
	InvoicesRead  Permission = "invoices:read"
	InvoicesWrite Permission = "invoices:write"
	UsersManage   Permission = "users:manage"
)

var grants = map[string][]Permission{
	"admin":  {InvoicesRead, InvoicesWrite, UsersManage},
	"editor": {InvoicesRead, InvoicesWrite},
	"viewer": {InvoicesRead},
}

// Allowed reports whether any of roles grants p. Unknown roles grant nothing.
func Allowed(roles []string, p Permission) bool {
	for _, r := range roles {
		for _, g := range grants[r] {
			if g == p {
				return true
			}
		}
	}
	return false
}

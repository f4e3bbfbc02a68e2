package rbac

import "testing"

func TestAllowed(t *testing.T) {
	if !Allowed([]string{"viewer"}, InvoicesRead) || Allowed([]string{"viewer"}, InvoicesWrite) {
		t.Fatal("viewer grants are wrong")
	}
	if Allowed([]string{"root"}, InvoicesRead) {
		t.Fatal("an unknown role granted a permission")
	}
}

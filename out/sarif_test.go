package out

import "testing"

func TestSARIFURI(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"inventory/a.yaml", "inventory/a.yaml"},
		{"./inventory/my estate.yaml", "inventory/my%20estate.yaml"},
		{`inventory\a.yaml`, "inventory/a.yaml"},
		{"/srv/inv/a.yaml", "file:///srv/inv/a.yaml"},
		{"/srv/my inv/a#1.yaml", "file:///srv/my%20inv/a%231.yaml"},
		{`C:\inv\a.yaml`, "file:///C:/inv/a.yaml"},
		{"-", "stdin"},
	} {
		if got := sarifURI(tc.path); got != tc.want {
			t.Errorf("sarifURI(%q) = %q; want %q", tc.path, got, tc.want)
		}
	}
}

package num

import "testing"

func TestCount(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{{0, "0"}, {999, "999"}, {1000, "1,000"}, {47000000, "47,000,000"}, {-1234567, "-1,234,567"}, {100000, "100,000"}} {
		if got := Count(tc.n); got != tc.want {
			t.Errorf("Count(%d) = %q; want %q", tc.n, got, tc.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want string
	}{{0, "errors"}, {1, "error"}, {2, "errors"}} {
		if got := Plural(tc.n, "error", "errors"); got != tc.want {
			t.Errorf("Plural(%d) = %q; want %q", tc.n, got, tc.want)
		}
	}
}
